# The one Helm release pattern: every add-on chart (Traefik, MetalLB, flannel, kube-prometheus-stack, the
# dashboard) is an instance of this module with its own chart, pinned version and values. The objects an
# add-on renders itself go through ../manifests (a local chart) instead.
resource "helm_release" "this" {
  name             = var.name
  namespace        = var.namespace
  create_namespace = var.create_namespace
  repository       = var.repository
  chart            = var.chart
  version          = var.chart_version
  values           = var.values
  # Helm provider 3.x: a list of objects (2.x had repeated set_sensitive {} blocks).
  set_sensitive = local.set_sensitive
  wait          = var.wait
  timeout       = var.timeout
  max_history   = var.max_history
}
