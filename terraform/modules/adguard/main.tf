resource "kubernetes_namespace_v1" "this" {
  metadata {
    name = var.namespace
  }
}

# PV, PVC, Deployment, the DNS LoadBalancer and the web route: all rendered in render.tf.
module "objects" {
  source    = "../manifests"
  name      = "adguard-home"
  namespace = kubernetes_namespace_v1.this.metadata[0].name
  manifests = local.manifests
}
