# With registry credentials: the pull Secret the CronJob's pods list under imagePullSecrets.
module "registry" {
  source      = "../registry-secret"
  count       = length(local.pull_secrets)
  name        = local.pull_secret_name
  namespace   = var.namespace
  credentials = var.registry_credentials
}

# PV and PVC on the NFS backup folder and the nightly CronJob: rendered in render.tf.
module "objects" {
  source    = "../manifests"
  name      = "etcd-backup"
  namespace = var.namespace
  manifests = local.manifests
  # A CronJob has nothing to wait for, but the claim must bind to the NFS volume.
  wait       = true
  depends_on = [module.registry]
}
