"""factory_boy factories for tests (and benchmarks)."""

from __future__ import annotations

import factory
from allauth.account.models import EmailAddress

from cartable.accounts.models import Group, Structure, User

PASSWORD = "correct horse battery staple"  # noqa: S105


class StructureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Structure

    kind = "school"
    name = factory.Sequence(lambda n: f"École {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@ac-lyon.fr")
    kind = User.Kind.STAFF

    @factory.post_generation
    def password(self, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        self.set_password(extracted or PASSWORD)
        if create:
            self.save()
            if self.email:
                EmailAddress.objects.get_or_create(
                    user=self, email=self.email, defaults={"primary": True, "verified": True}
                )


class StudentFactory(UserFactory):
    email = ""
    kind = User.Kind.STUDENT


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group

    name = factory.Sequence(lambda n: f"Classe {n}")
