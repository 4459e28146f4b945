/**
 * Health scripts we propose for the classic "stuck Progressing" cases. Argo CD's built-in checks keep an Ingress
 * Progressing until `status.loadBalancer.ingress` is set and a `LoadBalancer` Service until it has an ingress
 * address; on clusters whose ingress controller or load balancer never publishes one (bare metal, some
 * controllers), the app never turns Healthy and `argocd app wait --health` hangs. These scripts accept the
 * resource once it exists with a valid spec, and keep Argo CD's Healthy verdict when an address is there.
 */
export const INGRESS_HEALTH_LUA = `-- gitops-kit: this cluster's ingress controller publishes no load-balancer address
local hs = {}
if obj.status ~= nil and obj.status.loadBalancer ~= nil and obj.status.loadBalancer.ingress ~= nil then
  hs.status = "Healthy"
  hs.message = "Ingress has a load-balancer address"
  return hs
end
if obj.spec ~= nil and (obj.spec.rules ~= nil or obj.spec.defaultBackend ~= nil or obj.spec.backend ~= nil) then
  hs.status = "Healthy"
  hs.message = "Ingress is configured; the controller publishes no address on this cluster"
  return hs
end
hs.status = "Degraded"
hs.message = "Ingress has neither rules nor a default backend"
return hs
`;

export const LOAD_BALANCER_SERVICE_HEALTH_LUA = `-- gitops-kit: this cluster's load balancer publishes no ingress address
local hs = {}
hs.status = "Healthy"
if obj.spec ~= nil and obj.spec.type == "LoadBalancer" then
  if obj.status == nil or obj.status.loadBalancer == nil or obj.status.loadBalancer.ingress == nil then
    hs.message = "LoadBalancer Service has no external address on this cluster"
    return hs
  end
end
hs.message = "Service is ready"
return hs
`;

/** The script we propose for a known cause, keyed by the cause id `explainHealth` gives. */
export const PROPOSED_HEALTH_SCRIPTS: Readonly<Record<string, string>> = Object.freeze({
  'ingress-without-load-balancer-address': INGRESS_HEALTH_LUA,
  'load-balancer-service-without-ingress': LOAD_BALANCER_SERVICE_HEALTH_LUA,
});
