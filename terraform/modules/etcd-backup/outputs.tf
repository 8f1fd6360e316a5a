output "location" {
  description = "Where the backups land (etcd-backup-<UTC date>.enc: the etcd snapshot and the PKI kubeadm reuses, encrypted for the project's backup key)."
  value       = "${var.nfs.server}:${var.nfs.path}"
}

output "schedule" {
  description = "Cron schedule of the backup."
  value       = var.time_zone == "" ? var.schedule : "${var.schedule} (${var.time_zone})"
}

output "keep" {
  description = "Number of snapshots kept."
  value       = var.keep
}

output "run_now" {
  description = "Command that starts a backup job right away."
  value       = "kubectl -n ${var.namespace} create job --from=cronjob/etcd-backup etcd-backup-manual"
}
