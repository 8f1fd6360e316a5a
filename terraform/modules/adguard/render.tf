# Everything this module renders, kept free of providers and resources so that the tests can evaluate it
# with `terraform console` offline (test/addons/manifests.test.ts, terraform-eval.test.ts).
locals {
  # The image pinned in terraform/pins.yaml unless var.image names another.
  image = coalesce(var.image, yamldecode(file("${path.module}/../../pins.yaml")).images.adguard.image)

  volume_name = "adguard-data"
  # Only whether credentials were given is used here, never the credentials themselves.
  pull_secrets     = nonsensitive(var.registry_credentials != null) ? [local.pull_secret_name] : []
  pull_secret_name = "pi-cluster-registry"

  manifests = [
    yamldecode(templatefile("${path.module}/../../templates/persistentvolume.yaml.tftpl", {
      name      = local.volume_name
      namespace = var.namespace
      size      = var.storage_size
      server    = var.nfs.server
      path      = var.nfs.path
    })),
    yamldecode(templatefile("${path.module}/../../templates/persistentvolumeclaim.yaml.tftpl", {
      name      = local.volume_name
      namespace = var.namespace
      size      = var.storage_size
    })),
    yamldecode(templatefile("${path.module}/manifests/deployment.yaml.tftpl", {
      namespace    = var.namespace
      image        = local.image
      claim        = local.volume_name
      pull_secrets = local.pull_secrets
    })),
    yamldecode(templatefile("${path.module}/manifests/service-dns.yaml.tftpl", {
      namespace = var.namespace
      dns_ip    = var.dns_ip
    })),
    yamldecode(templatefile("${path.module}/manifests/service-web.yaml.tftpl", {
      namespace = var.namespace
    })),
    yamldecode(templatefile("${path.module}/../../templates/ingressroute.yaml.tftpl", {
      name              = "adguard"
      namespace         = var.namespace
      host              = var.host
      middlewares       = []
      service           = "adguard-web"
      port              = 80
      servers_transport = ""
    })),
  ]
}
