# Everything this module renders, kept free of providers and resources so that the tests can evaluate it
# with `terraform console` offline (test/addons/manifests.test.ts, terraform-eval.test.ts).
locals {
  # The chart pinned in terraform/pins.yaml; var.chart_version overrides its version.
  chart = merge(yamldecode(file("${path.module}/../../pins.yaml")).charts["headlamp"], var.chart_version == null ? {} : { version = var.chart_version })

  login_account = var.login_role == "view" ? "headlamp-viewer" : "headlamp-admin"
  # The chart's Service (plain HTTP on port 80) is named after the release, "headlamp".
  service = "headlamp"

  # Keys from the headlamp chart's values.yaml (0.45.0).
  chart_values = {
    # Every user logs in with a token and acts with that token's rights; the pod's own account is never used.
    config = { inCluster = true, unsafeUseServiceAccountToken = false }
    # The chart would bind its own ServiceAccount to cluster-admin; Headlamp needs no rights of its own here.
    clusterRoleBinding = { create = false }
    # Traefik routes to the Service (render below); the chart's Ingress stays off.
    ingress = { enabled = false }
    service = { type = "ClusterIP", port = 80 }
    resources = {
      requests = { cpu = "20m", memory = "64Mi" }
      limits   = { memory = "256Mi" }
    }
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
    yamldecode(templatefile("${path.module}/../../templates/ingressroute.yaml.tftpl", {
      name              = "headlamp"
      namespace         = var.namespace
      host              = var.host
      middlewares       = []
      service           = local.service
      port              = 80
      servers_transport = ""
    })),
  ]
}
