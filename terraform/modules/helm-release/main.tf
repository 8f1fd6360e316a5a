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
  max_history   = var.max_history
  # A failed or timed-out install is uninstalled (an upgrade rolled back) instead of being left "failed":
  # provider 3.x does not save such a release, and the next apply would stop on "cannot re-use a name".
  atomic          = var.atomic
  cleanup_on_fail = var.atomic
  timeout         = var.timeout
  # Terraform's own deadline for the whole operation: Helm's wait plus an atomic clean-up (render.tf).
  timeouts = local.timeouts
}
