# PV and PVC on the NFS backup folder and the nightly CronJob: rendered in render.tf.
module "objects" {
  source    = "../manifests"
  name      = "etcd-backup"
  namespace = var.namespace
  manifests = local.manifests
  # A CronJob has nothing to wait for, but the claim must bind to the NFS volume.
  wait = true
}
