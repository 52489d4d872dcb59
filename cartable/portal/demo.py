"""Demo data for ``make run``: structures, accounts, a class with students. Idempotent."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from cartable.accounts import actions
from cartable.accounts.models import Group, Invitation, Membership, Structure, User
from cartable.core.registry import registry
from cartable.portal.actions import send_contribution

DEMO_PASSWORD = "cartable-demo"  # noqa: S105 - printed to the person running the demo


@transaction.atomic
def create_demo() -> Iterator[str]:
    academy, _created = Structure.objects.get_or_create(
        kind=Structure.Kind.ACADEMY,
        name="Académie de Lyon",
        defaults={"email_domains": "ac-lyon.fr,*.ac-lyon.fr", "external_id": "ac-lyon"},
    )
    school, _created = Structure.objects.get_or_create(
        kind=Structure.Kind.SCHOOL,
        name="Collège Jean Moulin",
        parent=academy,
        defaults={"email_domains": "college-jean-moulin.ac-lyon.fr", "external_id": "0691234A"},
    )

    def staff(email: str, name: str, *, admin: bool = False) -> User:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = actions.create_staff_user(
                email, password=DEMO_PASSWORD, display_name=name, admin=admin
            )
        return user

    admin = staff("admin@ac-lyon.fr", "Admin Académie", admin=True)
    teacher = staff("claire.martin@college-jean-moulin.ac-lyon.fr", "Claire Martin")
    colleague = staff("paul.bernard@ac-lyon.fr", "Paul Bernard")

    group = Group.objects.filter(
        name="4e B — Histoire-géographie", memberships__user=teacher
    ).first()
    if group is None:
        group = actions.create_group(
            teacher, "4e B — Histoire-géographie", description="Classe de 4e B, année en cours."
        )
        actions.set_member(group, colleague, Membership.Role.MANAGER, by=teacher)
    invitation = group.invitations.filter(
        revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).first()
    if invitation is None:
        invitation = Invitation.objects.create(
            group=group,
            created_by=teacher,
            code="DEMO4EB1",
            expires_at=timezone.now() + timedelta(days=365),
            max_uses=40,
        )
    for username, name in [("lea.4eb", "Léa"), ("yanis.4eb", "Yanis"), ("ines.4eb", "Inès")]:
        if not User.objects.filter(username=username).exists():
            actions.join_as_new_student(
                invitation.code, username=username, password=DEMO_PASSWORD, display_name=name
            )
    if not teacher.contributions.exists():
        send_contribution(
            teacher,
            title="Un mode sombre",
            body="Pour travailler le soir, un thème sombre serait bienvenu.",
            topic="platform",
        )

    people = {
        "admin": admin,
        "teacher": teacher,
        "colleague": colleague,
        "group": group,
        "students": list(User.objects.filter(username__in=["lea.4eb", "yanis.4eb", "ines.4eb"])),
    }
    for handler in registry.ordered_demo():
        yield from handler.create(people)
    yield f"Demo accounts (password for all: {DEMO_PASSWORD}):"
    yield f"  administrator  {admin.email}"
    yield f"  teacher        {teacher.email}"
    yield f"  co-teacher     {colleague.email}"
    yield "  students       lea.4eb, yanis.4eb, ines.4eb (user names)"
    yield (
        f"Class code for new students: {invitation.display_code}"
        f"  (join at /join/{invitation.code}/)"
    )
