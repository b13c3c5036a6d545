output "cluster_name" {
  value = module.eks.cluster_name
}

output "pod_identity_role_arns" {
  description = "IAM role ARN per service account"
  value = {
    auth_service  = module.pod_identity_auth_service.iam_role_arn
    board_service = module.pod_identity_board_service.iam_role_arn
  }
}
