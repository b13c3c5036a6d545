// API endpoints behind the Istio gateway.
export const endpoints = {
  auth: "/svc/auth",
  users: "/svc/user",
  boards: "/svc/board",
  video: "/svc/video", // served by video-service
  chat: "/svc/chat",
};
