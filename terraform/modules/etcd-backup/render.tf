# Everything this module renders, kept free of providers and resources so that the tests can evaluate it
# with `terraform console` offline (test/addons/manifests.test.ts, terraform-eval.test.ts).
locals {
  # The images pinned in terraform/pins.yaml unless the variables name others.
  pinned_images = yamldecode(file("${path.module}/../../pins.yaml")).images
  etcd_image    = coalesce(var.etcd_image, local.pinned_images.etcd.image)
  node_image    = coalesce(var.node_image, local.pinned_images.node.image)

  volume_name = "etcd-backups"
  # Only whether credentials were given is used here, never the credentials themselves.
  pull_secrets     = nonsensitive(var.registry_credentials != null) ? [local.pull_secret_name] : []
  pull_secret_name = "pi-cluster-registry"

  manifests = [
    # The seal script and the public half of the project's backup key (.pi-cluster/etcd-backup.pub):
    # nothing secret, the private half never leaves the user's machine.
    {
      apiVersion = "v1"
      kind       = "ConfigMap"
      metadata   = { name = "etcd-backup", namespace = var.namespace }
      data = {
        "seal-backup.mjs" = file("${path.module}/scripts/seal-backup.mjs")
        "public-key.pem"  = var.public_key
      }
    },
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
      etcd_image   = local.etcd_image
      node_image   = local.node_image
      claim        = local.volume_name
      pull_secrets = local.pull_secrets
    })),
  ]
}
