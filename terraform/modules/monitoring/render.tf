# Everything this module renders, kept free of providers and resources so that the tests can evaluate it
# with `terraform console` offline (test/addons/manifests.test.ts, terraform-eval.test.ts).
locals {
  # The chart pinned in terraform/pins.yaml; var.chart_version overrides its version.
  chart = merge(yamldecode(file("${path.module}/../../pins.yaml")).charts["kube-prometheus-stack"], var.chart_version == null ? {} : { version = var.chart_version })

  admin_secret_name = "grafana-admin"

  chart_values = {
    grafana = {
      # The password comes from a Secret Terraform writes; the chart's default admin/prom-operator is never used.
      admin = {
        existingSecret = local.admin_secret_name
        userKey        = "admin-user"
        passwordKey    = "admin-password"
      }
      ingress       = { enabled = false }
      "grafana.ini" = { server = { root_url = "https://${var.grafana_host}/" } }
    }
    prometheus = {
      prometheusSpec = {
        retention = var.retention
        # Pick up ServiceMonitors from every release, not only this chart's.
        serviceMonitorSelectorNilUsesHelmValues = false
        podMonitorSelectorNilUsesHelmValues     = false
        resources = {
          requests = { cpu = "200m", memory = "512Mi" }
          limits   = { memory = "1536Mi" }
        }
      }
    }
    # kubelet (and cAdvisor) metrics from every node.
    kubelet = { enabled = true }
    # Node metrics from every Pi, the control plane included.
    nodeExporter = { enabled = true }
    "prometheus-node-exporter" = {
      tolerations = [{ operator = "Exists" }]
    }
    # kubeadm binds these to 127.0.0.1 on the master: scraping them from a pod fails and only raises alerts.
    kubeControllerManager = { enabled = false }
    kubeScheduler         = { enabled = false }
    kubeEtcd              = { enabled = false }
    kubeProxy             = { enabled = false }
  }

  manifests = [
    yamldecode(templatefile("${path.module}/../../templates/ingressroute.yaml.tftpl", {
      name              = "grafana"
      namespace         = var.namespace
      host              = var.grafana_host
      middlewares       = []
      service           = "kube-prometheus-stack-grafana"
      port              = 80
      servers_transport = ""
    })),
  ]
}
