package room

// Room is a LiveKit room owned by the video-service.
type Room struct {
	Name      string
	LivekitID string
}
