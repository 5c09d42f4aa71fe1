"""The Phoenix channel protocol on one websocket: frames, heartbeat, topics, one LiveView channel
per joined topic. The only package that knows the wire protocol."""
