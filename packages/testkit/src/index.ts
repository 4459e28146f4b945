// Each server keeps its public names in its own area barrel.

export * from './argocd/index.js';
export * from './forge/index.js';
export * from './git/index.js';
export * from './kube/index.js';
