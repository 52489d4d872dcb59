from django.dispatch import Signal

# Sent after a group is created, inside its transaction: tools create the class's room,
# folder, forum category... Arguments: group, created_by.
group_created = Signal()
# Sent after a user joins or leaves a group. Arguments: group, user, role (None when leaving).
membership_changed = Signal()
