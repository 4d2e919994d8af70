"""What communities tell the apps above them (they connect in their ``AppConfig.ready``)."""

from coproduce.lib.hooks import Hook

# A community was just created with its default categories (in the creating transaction): the
# market copies in the words people use for them.
community_created: Hook = Hook("communities.community_created")
