resource "kubernetes_namespace_v1" "this" {
  metadata {
    name = var.namespace
    labels = {
      # flannel needs host networking and NET_ADMIN.
      "pod-security.kubernetes.io/enforce" = "privileged"
    }
  }
}

module "chart" {
  source        = "../helm-release"
  name          = "flannel"
  namespace     = kubernetes_namespace_v1.this.metadata[0].name
  repository    = local.chart.repository
  chart         = local.chart.chart
  chart_version = local.chart.version
  values        = [yamlencode(local.chart_values)]
}
