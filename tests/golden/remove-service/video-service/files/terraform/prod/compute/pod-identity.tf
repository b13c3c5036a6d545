# EKS Pod Identity: one IAM role per service account.

module "pod_identity_auth_service" {
  source = "terraform-aws-modules/eks-pod-identity/aws"

  name = "auth-service"
  associations = {
    main = {
      cluster_name    = module.eks.cluster_name
      namespace       = "platform"
      service_account = "auth-service"
    }
  }
}

# 비디오 서비스: S3 녹화 버킷 접근

module "pod_identity_board_service" {
  source = "terraform-aws-modules/eks-pod-identity/aws"

  name = "board-service"
  associations = {
    main = {
      cluster_name    = module.eks.cluster_name
      namespace       = "platform"
      service_account = "board-service"
    }
  }
}

resource "aws_iam_policy" "recordings_write" {
  name   = "recordings-write"
  policy = data.aws_iam_policy_document.recordings_write.json
}
