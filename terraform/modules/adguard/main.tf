resource "kubernetes_namespace_v1" "this" {
  metadata {
    name = var.namespace
  }
}

# With registry credentials: the pull Secret the Deployment lists under imagePullSecrets.
module "registry" {
  source      = "../registry-secret"
  count       = length(local.pull_secrets)
  name        = local.pull_secret_name
  namespace   = kubernetes_namespace_v1.this.metadata[0].name
  credentials = var.registry_credentials
}

# PV, PVC, Deployment, the DNS LoadBalancer and the web route: all rendered in render.tf.
module "objects" {
  source     = "../manifests"
  name       = "adguard-home"
  namespace  = kubernetes_namespace_v1.this.metadata[0].name
  manifests  = local.manifests
  depends_on = [module.registry]
}
