"""The community's public figures, open to anyone as the public figures page is: a released
quarter's tables, served from its frozen, small-count-protected release (``insights.releases``)
by the page's own function, and nothing the page does not show (never the exact counts behind
a release, its private picture secret, or the network page's figures)."""

import copy

from django.contrib.auth.models import AnonymousUser
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from coproduce.api import serializers
from coproduce.insights import releases
from coproduce.insights.views_dashboard import public_release
from coproduce.lib.disclosure import ROUND


def _as_the_page_sees_it(request):
    """The request under DRF's, with the user as the page knows them (DRF's anonymous user is None)."""
    page = copy.copy(request._request)
    page.user = request.user or AnonymousUser()
    return page


class FiguresView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[OpenApiParameter("quarter", OpenApiTypes.DATE, required=False,
                                     description="A released quarter's first day; default: the latest."),
                    OpenApiParameter("version", OpenApiTypes.STR, required=False,
                                     description="One of its versions; default: the latest.")],
        responses=serializers.Figures,
        summary="The community's public figures for a released quarter (open to anyone, as the figures page)")
    def get(self, request, slug):
        access, form, release, _status, versions = public_release(_as_the_page_sees_it(request), slug)
        if form.errors:
            errors = form.errors.get_json_data()
            if release is None and "quarter" not in errors:  # a version that was never released
                raise NotFound([error["message"] for error in errors.get("__all__", [])])
            raise ValidationError({field: [e["message"] for e in found] for field, found in errors.items()})
        quarters = [{"quarter": q, "label": releases.quarter_label(q)} for q in form.quarters]
        shown = None
        if release is not None:
            shown = {"period_start": release.period_start, "label": releases.quarter_label(release.period_start),
                     "version": release.version, "released_at": release.released_at, "reason": release.reason,
                     "changes": release.changes, "k": release.k, "rounded": release.rule == ROUND,
                     "versions": versions, "tables": release.figures["tables"]}
        return Response(serializers.Figures({"community": access.community.slug, "quarters": quarters,
                                             "release": shown}).data)
