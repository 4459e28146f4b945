import java.net.InetSocketAddress;
import java.util.Collections;
import org.eclipse.jetty.security.ConstraintMapping;
import org.eclipse.jetty.security.ConstraintSecurityHandler;
import org.eclipse.jetty.security.HashLoginService;
import org.eclipse.jetty.security.UserStore;
import org.eclipse.jetty.security.authentication.BasicAuthenticator;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.servlet.ServletContextHandler;
import org.eclipse.jetty.servlet.ServletHolder;
import org.eclipse.jetty.util.security.Constraint;
import org.eclipse.jetty.util.security.Credential;
import org.eclipse.jgit.http.server.GitServlet;

/**
 * A test peer for gitops-kit's write-back: JGit's GitServlet (the smart-HTTP server of Gerrit and Bitbucket)
 * in Jetty 9, behind container basic auth, serving every repository under a directory.
 *
 * Usage: java JGitHttpServer BASE_DIRECTORY USERNAME PASSWORD — listens on a free port of 127.0.0.1 and prints
 * "LISTENING <port>" once it accepts requests. The password is read from the command line of a test process only.
 */
public final class JGitHttpServer {
  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: JGitHttpServer BASE_DIRECTORY USERNAME PASSWORD");
      System.exit(2);
    }
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);

    ServletContextHandler context = new ServletContextHandler(ServletContextHandler.SECURITY);
    context.setContextPath("/");
    ServletHolder git = new ServletHolder(new GitServlet());
    git.setInitParameter("base-path", args[0]);
    git.setInitParameter("export-all", "1");
    context.addServlet(git, "/*");

    // JGit enables receive-pack over HTTP only for an authenticated user (DefaultReceivePackFactory).
    UserStore users = new UserStore();
    users.addUser(args[1], Credential.getCredential(args[2]), new String[] {"git"});
    HashLoginService login = new HashLoginService("git");
    login.setUserStore(users);
    Constraint constraint = new Constraint(Constraint.__BASIC_AUTH, "git");
    constraint.setAuthenticate(true);
    ConstraintMapping mapping = new ConstraintMapping();
    mapping.setPathSpec("/*");
    mapping.setConstraint(constraint);
    ConstraintSecurityHandler security = new ConstraintSecurityHandler();
    security.setConstraintMappings(Collections.singletonList(mapping));
    security.setAuthenticator(new BasicAuthenticator());
    security.setLoginService(login);
    context.setSecurityHandler(security);

    server.setHandler(context);
    server.start();
    System.out.println("LISTENING " + connector.getLocalPort());
    System.out.flush();
    server.join();
  }
}
