# Everything this module renders, kept free of providers and resources so that the tests can evaluate it
# with `terraform console` offline (test/addons/manifests.test.ts, terraform-eval.test.ts).
locals {
  # The chart pinned in terraform/pins.yaml; var.chart_version overrides its version.
  chart = merge(yamldecode(file("${path.module}/../../pins.yaml")).charts["traefik"], var.chart_version == null ? {} : { version = var.chart_version })

  auth_secret_name     = "dashboard-auth"
  auth_middleware_name = "dashboard-auth"

  chart_values = {
    deployment = { replicas = 1 }
    service = {
      type        = "LoadBalancer"
      annotations = { "metallb.io/loadBalancerIPs" = var.load_balancer_ip }
    }
    # Plain HTTP is redirected; every route below is served on websecure. Through the chart's own key (chart
    # 39.0.8, templates/_podtemplate.tpl) the redirect names websecure's exposed port (443); Traefik's
    # --entryPoints.web.http.redirections.entryPoint.to=websecure flag would send browsers to its listen port, 8443.
    ports = {
      web = {
        http = {
          redirections = {
            entryPoint = { to = "websecure", scheme = "https", permanent = true }
          }
        }
      }
    }
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
