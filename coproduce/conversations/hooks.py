"""What conversations tell the apps above them (``notifications`` connects in its ``ready``)."""

from coproduce.lib.hooks import Hook

# A message was just written (in its transaction): the other participants may be told.
message_sent: Hook = Hook("conversations.message_sent")
