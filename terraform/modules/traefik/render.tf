# Everything this module renders, kept free of providers and resources so that the tests can evaluate it
# with `terraform console` offline (test/addons/manifests.test.ts, terraform-eval.test.ts).
locals {
  auth_secret_name     = "dashboard-auth"
  auth_middleware_name = "dashboard-auth"

  chart_values = {
    deployment = { replicas = 1 }
    service = {
      type        = "LoadBalancer"
      annotations = { "metallb.io/loadBalancerIPs" = var.load_balancer_ip }
    }
    # Plain HTTP is redirected; every route below is served on websecure.
    additionalArguments = [
      "--entryPoints.web.http.redirections.entryPoint.to=websecure",
      "--entryPoints.web.http.redirections.entryPoint.scheme=https",
    ]
    ingressRoute = {
      dashboard = {
        enabled     = true
        matchRule   = "Host(`${var.dashboard_host}`)"
        entryPoints = ["websecure"]
        middlewares = [{ name = local.auth_middleware_name }]
        tls         = {}
      }
    }
    resources = {
      requests = { cpu = "50m", memory = "64Mi" }
      limits   = { memory = "256Mi" }
    }
  }

  manifests = [
    yamldecode(templatefile("${path.module}/manifests/middleware-basic-auth.yaml.tftpl", {
      name      = local.auth_middleware_name
      namespace = var.namespace
      secret    = local.auth_secret_name
    })),
  ]
}
