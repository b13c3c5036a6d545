# ECR repositories for every service image.
# 새 서비스를 추가하면 여기에도 추가하세요.
module "ecr" {
  source  = "terraform-aws-modules/ecr/aws"
  version = "~> 2.3"

  repository_names = [
    "prod/auth-service",
    "prod/user-service",
    "prod/board-service",
    "prod/chat-service",
    "prod/notification-service",
    "prod/frontend",
  ]

  repository_image_tag_mutability = "MUTABLE"
}
