# An image pull Secret (kubernetes.io/dockerconfigjson, what `kubectl create secret docker-registry` makes)
# for the pods of one add-on namespace. Terraform writes it directly, so the password stays a sensitive
# value in Terraform and a Secret in the cluster: it never passes through Helm release values.
resource "kubernetes_secret_v1" "this" {
  metadata {
    name      = var.name
    namespace = var.namespace
    labels    = { "app.kubernetes.io/managed-by" = "pi-cluster" }
  }
  type = "kubernetes.io/dockerconfigjson"
  data = {
    ".dockerconfigjson" = local.dockerconfigjson
  }
}
