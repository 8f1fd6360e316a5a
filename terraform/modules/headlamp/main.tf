resource "kubernetes_namespace_v1" "this" {
  metadata {
    name = var.namespace
  }
}

module "chart" {
  source        = "../helm-release"
  name          = "headlamp"
  namespace     = kubernetes_namespace_v1.this.metadata[0].name
  repository    = local.chart.repository
  chart         = local.chart.chart
  chart_version = local.chart.version
  values        = [yamlencode(local.chart_values)]
}

# The login ServiceAccount, its ClusterRoleBinding and the route: rendered in render.tf.
module "objects" {
  source     = "../manifests"
  name       = "headlamp-login"
  namespace  = kubernetes_namespace_v1.this.metadata[0].name
  manifests  = local.manifests
  depends_on = [module.chart]
}

# A long-lived token for the login account; Kubernetes fills in data.token.
resource "kubernetes_secret_v1" "login_token" {
  metadata {
    name      = "${local.login_account}-token"
    namespace = kubernetes_namespace_v1.this.metadata[0].name
    annotations = {
      "kubernetes.io/service-account.name" = local.login_account
    }
  }
  type                           = "kubernetes.io/service-account-token"
  wait_for_service_account_token = true
  depends_on                     = [module.objects]
}
