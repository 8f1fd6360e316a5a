resource "kubernetes_namespace_v1" "this" {
  metadata {
    name = var.namespace
    labels = {
      # The speaker answers ARP from the host network and needs NET_RAW.
      "pod-security.kubernetes.io/enforce" = "privileged"
      "pod-security.kubernetes.io/audit"   = "privileged"
      "pod-security.kubernetes.io/warn"    = "privileged"
    }
  }
}

# The pools below go through MetalLB's validating webhook: the release waits (the default) until it is up.
module "chart" {
  source        = "../helm-release"
  name          = "metallb"
  namespace     = kubernetes_namespace_v1.this.metadata[0].name
  repository    = local.chart.repository
  chart         = local.chart.chart
  chart_version = local.chart.version
}

module "config" {
  source     = "../manifests"
  name       = "metallb-config"
  namespace  = kubernetes_namespace_v1.this.metadata[0].name
  manifests  = local.manifests
  depends_on = [module.chart]
}
