"""Real-time delivery over WebSockets (Channels); events are pushed after commit."""
