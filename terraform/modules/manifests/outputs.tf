output "release" {
  description = "Name of the Helm release that holds the objects."
  value       = helm_release.this.name
}

output "objects" {
  description = "kind/name of every object applied, for `terraform output`."
  value       = [for m in var.manifests : "${m.kind}/${m.metadata.name}"]
}
