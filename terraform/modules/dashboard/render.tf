# Everything this module renders, kept free of providers and resources so that the tests can evaluate it
# with `terraform console` offline (test/addons/manifests.test.ts, terraform-eval.test.ts).
locals {
  login_account = var.login_role == "view" ? "dashboard-viewer" : "dashboard-admin"
  # Service of the chart's Kong proxy, the dashboard's single entry point (chart 7.x), for release "kubernetes-dashboard".
  proxy_service = "kubernetes-dashboard-kong-proxy"

  chart_values = {
    app = { ingress = { enabled = false } }
  }

  manifests = [
    yamldecode(templatefile("${path.module}/manifests/serviceaccount.yaml.tftpl", {
      name      = local.login_account
      namespace = var.namespace
    })),
    yamldecode(templatefile("${path.module}/manifests/clusterrolebinding.yaml.tftpl", {
      name      = local.login_account
      namespace = var.namespace
      role      = var.login_role
    })),
    yamldecode(templatefile("${path.module}/manifests/serverstransport.yaml.tftpl", {
      name      = "dashboard-kong"
      namespace = var.namespace
    })),
    yamldecode(templatefile("${path.module}/../../templates/ingressroute.yaml.tftpl", {
      name              = "kubernetes-dashboard"
      namespace         = var.namespace
      host              = var.host
      middlewares       = []
      service           = local.proxy_service
      port              = 443
      servers_transport = "dashboard-kong"
    })),
  ]
}
