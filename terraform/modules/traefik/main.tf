resource "kubernetes_namespace_v1" "this" {
  metadata {
    name = var.namespace
  }
}

resource "kubernetes_secret_v1" "dashboard_auth" {
  metadata {
    name      = local.auth_secret_name
    namespace = kubernetes_namespace_v1.this.metadata[0].name
  }
  type = "kubernetes.io/basic-auth"
  data = {
    username = var.dashboard_user
    password = var.dashboard_password
  }
}

# The chart installs Traefik's CRDs (IngressRoute, Middleware, ServersTransport) from its crds/ folder.
module "chart" {
  source        = "../helm-release"
  name          = "traefik"
  namespace     = kubernetes_namespace_v1.this.metadata[0].name
  repository    = local.chart.repository
  chart         = local.chart.chart
  chart_version = local.chart.version
  values        = [yamlencode(local.chart_values)]
}

module "auth" {
  source     = "../manifests"
  name       = "traefik-auth"
  namespace  = kubernetes_namespace_v1.this.metadata[0].name
  manifests  = local.manifests
  depends_on = [module.chart, kubernetes_secret_v1.dashboard_auth]
}
