resource "kubernetes_namespace_v1" "this" {
  metadata {
    name = var.namespace
    labels = {
      # flannel needs host networking and NET_ADMIN.
      "pod-security.kubernetes.io/enforce" = "privileged"
    }
  }
}

resource "helm_release" "flannel" {
  name       = "flannel"
  namespace  = kubernetes_namespace_v1.this.metadata[0].name
  repository = "https://flannel-io.github.io/flannel/"
  chart      = "flannel"
  version    = var.chart_version
  wait       = true

  values = [yamlencode(local.chart_values)]
}
