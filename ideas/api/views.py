"""The REST API's views, thin like the pages': check access with ideas/permissions.py, read
through ideas/queries.py, write through ideas/services.py, serialize.

Access follows the pages: what a person may not see is a 404 (the same fetch helpers), what
they may see but not do is a 403, and no credentials where some are needed is a 401.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import QuerySet, prefetch_related_objects
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from drf_spectacular.utils import (
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
)
from drf_spectacular.views import SpectacularSwaggerView
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ideas import queries, ratelimit, services
from ideas.api import serializers as s
from ideas.api.permissions import CanCapture, CanUpsertAccountsOrReadEvidence
from ideas.models import Category, Comment, Idea, Signal
from ideas.permissions import (
    can_see_evidence,
    can_see_internal_notes,
    can_triage,
    get_idea_for_user,
)
from portal.models import User

ERRORS = {
    400: OpenApiResponse(description="Invalid input: the body names each field's problem."),
    401: OpenApiResponse(description="No or invalid credentials."),
    403: OpenApiResponse(description="Your role may not do this."),
    404: OpenApiResponse(description="No such object, or you may not see it."),
    413: OpenApiResponse(description="The request body is too large."),
    415: OpenApiResponse(description="Send JSON (Content-Type: application/json)."),
    429: OpenApiResponse(description="Too many requests; see Retry-After."),
}


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    return {code: ERRORS[code] for code in codes}


def idea_for_viewer(*, many: bool = False) -> PolymorphicProxySerializer:
    """The schema of an idea response: the public fields, or those plus the evidence."""
    return PolymorphicProxySerializer(
        component_name="IdeaForViewer",
        serializers=[s.IdeaSerializer, s.IdeaWithEvidenceSerializer],
        resource_type_field_name=None,
        many=many,
    )


def viewer_any_of(result: dict, generator: Any, request: Any, public: bool) -> dict:
    """Schema post-processing hook: an evidence response also has every public field, so
    IdeaForViewer is anyOf, not oneOf (which would forbid matching both)."""
    schema = result.get("components", {}).get("schemas", {}).get("IdeaForViewer")
    if schema and "oneOf" in schema:
        schema["anyOf"] = schema.pop("oneOf")
    return result


def validated(
    serializer_class: type[serializers.Serializer], data: Any, request: Request
) -> dict[str, Any]:
    """Input validated by `serializer_class`, or a 400 naming each problem."""
    serializer = serializer_class(data=data, context={"request": request})
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def idea_serializer_class(user: User) -> type[s.IdeaSerializer]:
    """Evidence fields only for those permissions.can_see_evidence allows."""
    return s.IdeaWithEvidenceSerializer if can_see_evidence(user) else s.IdeaSerializer


def for_idea_serializer(ideas: QuerySet[Idea], user: User) -> QuerySet[Idea]:
    """What the idea serializer shows, in the same query as the ideas themselves."""
    ideas = ideas.select_related("category", "author")
    if can_see_evidence(user):
        # The evidence view, account and owner: joined, never one query per row.
        ideas = ideas.select_related("evidence", "account", "owner")
    return ideas


def idea_data(request: Request, idea: Idea) -> dict:
    """One idea (already access-checked) as this user may see it, with their vote."""
    user = request.user
    rows = Idea.objects.filter(pk=idea.pk).with_user_vote(user)
    idea = for_idea_serializer(rows, user).get()
    return idea_serializer_class(user)(idea, context={"request": request}).data


# --- Ideas -----------------------------------------------------------------------------------


class IdeaListView(GenericAPIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(
        tags=["ideas"],
        summary="List ideas",
        description="The forum's list: the ideas you may see, merged ones left out, filtered, "
        "searched or sorted, with your vote. Company people also get the evidence fields.",
        parameters=[s.IdeaFilterSerializer],
        responses={200: idea_for_viewer(many=True), **errors(400, 404, 429)},
    )
    def get(self, request: Request) -> Response:
        filters = validated(s.IdeaFilterSerializer, request.query_params, request)
        ideas = queries.idea_list(
            user=request.user,
            sort=filters["sort"],
            search=filters.get("q", ""),
            category=filters.get("category", ""),
            status=filters.get("status", ""),
        )
        # Queries: COUNT, then the page's rows with category, author and your vote (company
        # people: evidence, account and owner too) in one: the same for any page size.
        page = self.paginate_queryset(for_idea_serializer(ideas, request.user))
        data = idea_serializer_class(request.user)(page, many=True, context={"request": request})
        return self.get_paginated_response(data.data)

    @extend_schema(
        tags=["ideas"],
        summary="Post an idea",
        description="The forum's form as JSON: the same rules and the same rate limit. "
        "The idea is public, as on the forum.",
        request=s.IdeaCreateSerializer,
        responses={201: idea_for_viewer(), **errors(400, 401, 415, 429)},
    )
    def post(self, request: Request) -> Response:
        data = validated(s.IdeaCreateSerializer, request.data, request)
        # Counted once the input is valid, as on the forum's page.
        ratelimit.check(request, "idea")
        idea = services.idea_submit(author=request.user, **data)
        body = idea_data(request, idea)
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": body["url"]})


class IdeaDetailView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        tags=["ideas"],
        summary="Read an idea",
        description="A merged idea answers with its own fields and `merged_into`, the idea "
        "that now carries its votes and comments (no redirect).",
        responses={200: idea_for_viewer(), **errors(404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        idea = get_idea_for_user(request, pk)
        return Response(idea_data(request, idea))


class IdeaStatusView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["ideas"],
        summary="Change an idea's status (PMs and admins)",
        description="The triage page's decision: a public explanation is required to decline; "
        "a decision freezes the evidence and score; followers are notified.",
        request=s.StatusUpdateSerializer,
        responses={200: s.IdeaWithEvidenceSerializer, **errors(400, 401, 403, 404)},
    )
    def post(self, request: Request, pk: int) -> Response:
        idea = get_idea_for_user(request, pk)
        if not can_triage(request.user):
            raise PermissionDenied("Only product managers and admins change an idea's status.")
        data = validated(s.StatusUpdateSerializer, request.data, request)
        services.idea_set_status(idea=idea, actor=request.user, **data)
        return Response(idea_data(request, idea))


class SimilarIdeasView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        tags=["ideas"],
        summary="Ideas like a text",
        description="The suggestions the forum shows while someone types a new idea: the "
        "same ranking, among the ideas you may see. Not paginated.",
        parameters=[s.SimilarFilterSerializer],
        responses={200: s.IdeaSerializer(many=True), **errors(400, 429)},
    )
    def get(self, request: Request) -> Response:
        ratelimit.check(request, "similar")
        params = validated(s.SimilarFilterSerializer, request.query_params, request)
        ideas = queries.similar_ideas(params["text"], user=request.user, limit=params["limit"])
        prefetch_related_objects(ideas, "author")
        return Response(s.IdeaSerializer(ideas, many=True, context={"request": request}).data)


class VoteView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["ideas"],
        summary="Vote for an idea",
        description="Idempotent: voting twice is one vote. A vote for a merged idea counts "
        "for the idea it joined.",
        request=None,
        responses={200: s.VoteResultSerializer, **errors(400, 401, 404, 429)},
    )
    def post(self, request: Request, pk: int) -> Response:
        ratelimit.check(request, "vote")
        idea = services.vote_add(user=request.user, idea=get_idea_for_user(request, pk))
        return Response({"idea": idea.pk, "vote_count": idea.vote_count, "has_voted": True})

    @extend_schema(
        tags=["ideas"],
        summary="Take a vote back",
        description="Idempotent: removing a vote that is not there changes nothing.",
        request=None,
        responses={200: s.VoteResultSerializer, **errors(401, 404, 429)},
    )
    def delete(self, request: Request, pk: int) -> Response:
        ratelimit.check(request, "vote")
        idea = services.vote_remove(user=request.user, idea=get_idea_for_user(request, pk))
        return Response({"idea": idea.pk, "vote_count": idea.vote_count, "has_voted": False})


class CommentListView(GenericAPIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(
        tags=["ideas"],
        summary="An idea's comments",
        description="Oldest first. Private notes are included for the company's people only.",
        responses={200: s.CommentSerializer(many=True), **errors(404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        idea = get_idea_for_user(request, pk)
        comments = (
            Comment.objects.filter(idea=idea).select_related("author").order_by("created_at", "pk")
        )
        if not can_see_internal_notes(request.user):
            comments = comments.filter(is_internal=False)
        page = self.paginate_queryset(comments)
        return self.get_paginated_response(s.CommentSerializer(page, many=True).data)

    @extend_schema(
        tags=["ideas"],
        summary="Comment on an idea",
        description="The idea page's form as JSON. `is_internal` (a private note) is for the "
        "company's people: anyone else gets a 403, never a silently public comment.",
        request=s.CommentCreateSerializer,
        responses={201: s.CommentSerializer, **errors(400, 401, 403, 404, 415, 429)},
    )
    def post(self, request: Request, pk: int) -> Response:
        ratelimit.check(request, "comment")
        idea = get_idea_for_user(request, pk)
        data = validated(s.CommentCreateSerializer, request.data, request)
        if data["is_internal"] and not can_see_internal_notes(request.user):
            raise PermissionDenied("Only the company's people can write private notes.")
        comment = services.comment_add(
            author=request.user, idea=idea, body=data["body"], is_internal=data["is_internal"]
        )
        return Response(s.CommentSerializer(comment).data, status=status.HTTP_201_CREATED)


# --- Signals, accounts, categories -----------------------------------------------------------


class SignalListView(GenericAPIView):
    permission_classes = [CanCapture]

    @extend_schema(
        tags=["signals"],
        summary="Signals (company people)",
        description="Newest first. Every signal: the pages already show any company person "
        "the signals behind an idea or an account. `mine=true` narrows to yours.",
        parameters=[s.SignalFilterSerializer],
        responses={200: s.SignalSerializer(many=True), **errors(400, 401, 403, 404)},
    )
    def get(self, request: Request) -> Response:
        params = validated(s.SignalFilterSerializer, request.query_params, request)
        signals = Signal.objects.select_related("account", "captured_by").order_by(
            "-created_at", "-pk"
        )
        if params["mine"]:
            signals = signals.filter(captured_by=request.user)
        if "idea" in params:
            signals = signals.filter(idea_id=params["idea"])
        if "account" in params:
            signals = signals.filter(account_id=params["account"])
        page = self.paginate_queryset(signals)
        return self.get_paginated_response(s.SignalSerializer(page, many=True).data)

    @extend_schema(
        tags=["signals"],
        summary="Capture a signal (company people)",
        description="The capture page's form as JSON, e.g. from a CRM: the same rules "
        "(verbatim required, no date in the future, no negative value, known choices).",
        request=s.SignalCreateSerializer,
        responses={201: s.SignalSerializer, **errors(400, 401, 403, 415)},
    )
    def post(self, request: Request) -> Response:
        data = validated(s.SignalCreateSerializer, request.data, request)
        signal = services.signal_capture(captured_by=request.user, **data)
        return Response(s.SignalSerializer(signal).data, status=status.HTTP_201_CREATED)


class AccountListView(GenericAPIView):
    permission_classes = [CanUpsertAccountsOrReadEvidence]

    @extend_schema(
        tags=["accounts"],
        summary="Accounts (company people)",
        description="Biggest ARR first, with their signal and voter counts.",
        parameters=[s.AccountFilterSerializer],
        responses={200: s.AccountSerializer(many=True), **errors(400, 401, 403, 404)},
    )
    def get(self, request: Request) -> Response:
        params = validated(s.AccountFilterSerializer, request.query_params, request)
        page = self.paginate_queryset(queries.account_list(params.get("q", "")))
        return self.get_paginated_response(s.AccountSerializer(page, many=True).data)


class AccountDetailView(APIView):
    permission_classes = [CanUpsertAccountsOrReadEvidence]

    def external_id(self, request: Request, external_id: str) -> str:
        return validated(s.ExternalIdSerializer, {"external_id": external_id}, request)[
            "external_id"
        ]

    @extend_schema(
        tags=["accounts"],
        summary="Read an account by CRM id (company people)",
        responses={200: s.AccountSerializer, **errors(400, 401, 403, 404)},
    )
    def get(self, request: Request, external_id: str) -> Response:
        account = get_object_or_404(
            queries.account_list(), external_id=self.external_id(request, external_id)
        )
        return Response(s.AccountSerializer(account).data)

    @extend_schema(
        tags=["accounts"],
        summary="Create or update an account by CRM id",
        description="Idempotent upsert for a CRM sync: 201 when created, 200 when updated. "
        "Fields left out keep their value. PMs, admins, and company people given the "
        "`ideas.add_account` and `ideas.change_account` permissions.",
        request=s.AccountUpsertSerializer,
        responses={
            200: s.AccountSerializer,
            201: s.AccountSerializer,
            **errors(400, 401, 403, 415),
        },
    )
    def put(self, request: Request, external_id: str) -> Response:
        external_id = self.external_id(request, external_id)
        data = validated(s.AccountUpsertSerializer, request.data, request)
        account, created = services.account_upsert(external_id=external_id, **data)
        account = queries.account_list().get(pk=account.pk)
        return Response(
            s.AccountSerializer(account).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class CategoryListView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        tags=["categories"],
        summary="Categories",
        description="All of them, in the forum's order. Not paginated.",
        responses={200: s.CategorySerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        return Response(s.CategorySerializer(Category.objects.all(), many=True).data)


@csrf_exempt
def not_found(request: HttpRequest, path: str = "") -> JsonResponse:
    """Unknown API URLs answer JSON too (and never trip APPEND_SLASH's POST error)."""
    return JsonResponse(
        {"detail": "No such API endpoint. API URLs end with a slash; see /api/docs/."},
        status=404,
    )


# --- Pages: the interactive docs and the token page ---------------------------------------------


class DocsView(SpectacularSwaggerView):
    """Swagger UI from drf-spectacular-sidecar, started by a static script (no inline
    script or style, so the site's strict Content-Security-Policy holds)."""

    template_name = "api/docs.html"


@login_required
@require_http_methods(["GET", "POST"])
def api_token(request: HttpRequest) -> HttpResponse:
    """Create, regenerate or revoke my API token. The key is shown once, when created."""
    new_key = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "create":
            with transaction.atomic():
                Token.objects.filter(user=request.user).delete()
                new_key = Token.objects.create(user=request.user).key
        elif action == "revoke":
            Token.objects.filter(user=request.user).delete()
            messages.success(request, "Your API token is revoked: requests that use it now fail.")
            return redirect("api_token")
        else:
            messages.error(request, "Choose to create or revoke the token.")
            return redirect("api_token")
    token = Token.objects.filter(user=request.user).first()
    response = render(request, "api/token.html", {"token": token, "new_key": new_key})
    if new_key:
        # The key is in this page alone: no cache may keep a copy.
        response["Cache-Control"] = "no-store"
    return response
