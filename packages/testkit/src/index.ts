// Each server keeps its public names in its own area barrel; these are the only four.

export * from './argocd/index.js';
export * from './git/index.js';
export * from './kube/index.js';
export * from './ssh/index.js';
