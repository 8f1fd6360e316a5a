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
  repository    = "https://flannel-io.github.io/flannel/"
  chart         = "flannel"
  chart_version = var.chart_version
  values        = [yamlencode(local.chart_values)]
}
