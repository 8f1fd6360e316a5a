/** Image references as Kubernetes reads them: [registry/]repository[:tag][@digest], Docker Hub by default. */

export interface ImageRef {
  /** Host the distribution API is asked (Docker Hub's is registry-1.docker.io). */
  registry: string;
  repository: string;
  /** Tag or digest to ask for. */
  reference: string;
}

const DOCKER_HUB = 'registry-1.docker.io';

export function parseImageRef(image: string): ImageRef {
  let rest = image.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const slash = rest.indexOf('/');
  const first = slash >= 0 ? rest.slice(0, slash) : '';
  // The first part is a registry host when it has a dot or a port, or is localhost (Docker's rule).
  const hasHost = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  let registry = hasHost ? first : 'docker.io';
  let path = hasHost ? rest.slice(slash + 1) : rest;
  let tag = 'latest';
  const colon = path.lastIndexOf(':');
  if (colon >= 0) {
    tag = path.slice(colon + 1);
    path = path.slice(0, colon);
  }
  if (registry === 'docker.io' || registry === 'index.docker.io') {
    registry = DOCKER_HUB;
    if (!path.includes('/')) path = `library/${path}`;
  }
  if (!path || !/^[a-z0-9]+([._/-][a-z0-9]+)*$/.test(path)) throw new Error(`not an image reference: ${image}`);
  return { registry, repository: path, reference: digest ?? tag };
}
