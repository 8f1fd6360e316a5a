# One generic way to apply the objects an add-on renders itself (CRs such as IPAddressPool or IngressRoute,
# PVs, CronJobs): a Helm release of a local chart that prints values.manifests.
# Why not kubernetes_manifest: it needs the CRDs to exist at *plan* time, so a fresh `make apply` would fail
# before MetalLB or Traefik had installed them. Helm resolves kinds at apply time, after depends_on.
resource "helm_release" "this" {
  name      = var.name
  namespace = var.namespace
  chart     = "${path.module}/chart"
  wait      = var.wait
  # As modules/helm-release: undo a failed install so the next apply can retry; Helm waits up to 10 minutes,
  # Terraform up to twice that plus the clean-up.
  atomic          = true
  cleanup_on_fail = true
  timeout         = 600
  timeouts        = { create = "25m", update = "25m", delete = "15m" }

  values = [yamlencode({ manifests = var.manifests })]
}
