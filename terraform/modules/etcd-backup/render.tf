# Everything this module renders, kept free of providers and resources so that the tests can evaluate it
# with `terraform console` offline (test/addons/manifests.test.ts, terraform-eval.test.ts).
locals {
  volume_name = "etcd-backups"
  # Only whether credentials were given is used here, never the credentials themselves.
  pull_secrets     = nonsensitive(var.registry_credentials != null) ? [local.pull_secret_name] : []
  pull_secret_name = "pi-cluster-registry"

  manifests = [
    yamldecode(templatefile("${path.module}/../../templates/persistentvolume.yaml.tftpl", {
      name      = local.volume_name
      namespace = var.namespace
      size      = "5Gi"
      server    = var.nfs.server
      path      = var.nfs.path
    })),
    yamldecode(templatefile("${path.module}/../../templates/persistentvolumeclaim.yaml.tftpl", {
      name      = local.volume_name
      namespace = var.namespace
      size      = "5Gi"
    })),
    yamldecode(templatefile("${path.module}/manifests/cronjob.yaml.tftpl", {
      namespace    = var.namespace
      schedule     = var.schedule
      time_zone    = var.time_zone
      keep         = var.keep
      etcd_image   = var.etcd_image
      shell_image  = var.shell_image
      claim        = local.volume_name
      pull_secrets = local.pull_secrets
    })),
  ]
}
