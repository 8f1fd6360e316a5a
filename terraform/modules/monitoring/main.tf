resource "kubernetes_namespace_v1" "this" {
  metadata {
    name = var.namespace
    labels = {
      # node-exporter reads the host's /proc and /sys from the host network.
      "pod-security.kubernetes.io/enforce" = "privileged"
    }
  }
}

resource "kubernetes_secret_v1" "grafana_admin" {
  metadata {
    name      = local.admin_secret_name
    namespace = kubernetes_namespace_v1.this.metadata[0].name
  }
  data = {
    "admin-user"     = "admin"
    "admin-password" = var.grafana_admin_password
  }
}

module "chart" {
  source = "../helm-release"
  # The release name is part of the service names (kube-prometheus-stack-grafana): keep it.
  name          = "kube-prometheus-stack"
  namespace     = kubernetes_namespace_v1.this.metadata[0].name
  repository    = local.chart.repository
  chart         = local.chart.chart
  chart_version = local.chart.version
  values        = [yamlencode(local.chart_values)]
  # Prometheus, Alertmanager, Grafana and the operator's CRDs take a while on a Pi (ten images on a first pull).
  timeout    = 1200
  depends_on = [kubernetes_secret_v1.grafana_admin]
}

module "routes" {
  source     = "../manifests"
  name       = "monitoring-routes"
  namespace  = kubernetes_namespace_v1.this.metadata[0].name
  manifests  = local.manifests
  depends_on = [module.chart]
}
