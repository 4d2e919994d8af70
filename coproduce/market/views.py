from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coproduce.conversations.forms import MessageForm
from coproduce.lib.inputs import search_text
from coproduce.market import matching, services
from coproduce.market.forms import DoneForm, IntroduceForm, PostForm, SearchForm, ThankYouForm
from coproduce.market.models import Post, PostKind, PostStatus, ThankYou
from coproduce.market.permissions import may_manage, post_in, require_may_manage
from coproduce.market.queries import search_posts
from coproduce.members import availability
from coproduce.members.models import Membership
from coproduce.members.permissions import (
    member_in,
    require_coordinator,
    require_may_act_for,
    require_member,
)
from coproduce.members.views import add_form_errors

PAGE_SIZE = 20
BROKERAGE_PAGE_SIZE = 10


def _context(access, **extra):
    return {"access": access, "community": access.community, **extra}


@login_required
def browse(request, slug):
    access = require_member(request, slug)
    form = SearchForm(request.GET or None, community=access.community)
    arguments = form.search_arguments() if form.is_valid() else {}
    posts = search_posts(access.community, **arguments)
    page = Paginator(posts, PAGE_SIZE).get_page(request.GET.get("page"))
    query_string = request.GET.copy()
    query_string.pop("page", None)
    return render(request, "market/browse.html", _context(access, form=form, page=page,
                                                          query_string=query_string.urlencode()))


def _post_form(request, access, author: Membership):
    form = PostForm(request.POST or None, community=access.community,
                    initial={"kind": request.GET.get("kind", PostKind.REQUEST)})
    if request.method == "POST" and form.is_valid():
        try:
            post = services.create_post(author=author, actor=request.user, **form.service_arguments())
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, _("Posted. It stays open for 90 days."))
            return redirect("market:detail", slug=access.community.slug, pk=post.pk)
    return render(request, "market/post_form.html", _context(access, form=form, author=author))


@login_required
def new_post(request, slug):
    access = require_member(request, slug)
    if access.membership is None:
        messages.info(request, _("Coordinators who are not members post for assisted members from their profile."))
        return redirect("market:browse", slug=slug)
    return _post_form(request, access, access.membership)


@login_required
def new_post_for(request, slug, member_pk):
    access = require_coordinator(request, slug)
    author = member_in(access, member_pk)
    require_may_act_for(access, author)
    return _post_form(request, access, author)


@login_required
def detail(request, slug, pk):
    access = require_member(request, slug)
    post = post_in(access, pk)
    manage = may_manage(access, post)
    is_author = access.membership is not None and post.author_id == access.membership.pk
    suggestions = []
    if post.is_request and post.is_open and (manage or access.is_coordinator):
        suggestions = matching.suggest_for_request(post, limit=5)
    done_form = None
    if manage and post.status in (PostStatus.OPEN, PostStatus.MATCHED):
        done_form = DoneForm(candidates=_done_candidates(post))
    thanks, thank_form, is_giver = _thanks_for(access, post)
    introduce_query = search_text(request.GET.get("introduce", ""))
    introduce_found = (matching.members_to_introduce(post, introduce_query)
                       if access.is_coordinator and post.is_request and post.is_open else [])
    context = _context(
        access, post=post, manage=manage, is_author=is_author, suggestions=suggestions,
        thanks=thanks, thank_form=thank_form, is_giver=is_giver,
        introduce_query=introduce_query, introduce_found=introduce_found,
        availability=availability.describe(post.availability), done_form=done_form,
        message_form=MessageForm() if (access.membership and not is_author and post.is_open) else None,
        introduce_form=IntroduceForm() if access.is_coordinator else None,
    )
    return render(request, "market/detail.html", context)


def _thanks_for(access, post: Post):
    """The thank-you note (seen only by the two people) and, for the person helped, a form."""
    if post.status != PostStatus.DONE or post.helper_id is None or access.membership is None:
        return None, None, False
    giver, receiver = services.giver_and_receiver(post)
    me = access.membership.pk
    if me not in (giver.pk, receiver.pk):
        return None, None, False
    thanks = ThankYou.objects.filter(post=post).first()
    form = ThankYouForm() if thanks is None and me == receiver.pk else None
    return thanks, form, me == giver.pk


@login_required
@require_POST
def thank(request, slug, pk):
    access = require_member(request, slug)
    post = post_in(access, pk)
    form = ThankYouForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please write a few words, up to 500 characters."))
        return redirect("market:detail", slug=slug, pk=post.pk)
    return _post_action_unchecked(request, slug, post,
                                  lambda p: services.thank(p, actor=request.user, note=form.cleaned_data["note"]),
                                  _("Thank you sent."))


@login_required
@require_POST
def show_thanks(request, slug, pk):
    access = require_member(request, slug)
    post = post_in(access, pk)
    thanks = ThankYou.objects.filter(post=post).select_related("giver").first()
    if thanks is None:
        raise Http404
    shown = request.POST.get("shown") == "1"
    return _post_action_unchecked(
        request, slug, post, lambda p: services.show_thanks_on_profile(thanks, actor=request.user, shown=shown),
        _("It now shows on your profile.") if shown else _("It no longer shows on your profile."))


def _post_action_unchecked(request, slug, post, action, success):
    """Run a service whose own rules decide who may act; show its refusal as a message."""
    try:
        action(post)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success)
    return redirect("market:detail", slug=slug, pk=post.pk)


@login_required
def member_thanks(request, slug, member_pk):
    """Thank-you notes a member agreed to show; the profile page can link or include this."""
    access = require_member(request, slug)
    member = member_in(access, member_pk)
    notes = (ThankYou.objects.filter(giver=member, shown_on_profile=True).select_related("receiver__user", "post")
             [:50])
    return render(request, "market/member_thanks.html", _context(access, member=member, notes=notes))


def _done_candidates(post: Post):
    """People who talked with the author about this post, or were introduced to them."""
    from coproduce.conversations.models import Participant

    user_ids = (Participant.objects.filter(conversation__post=post).exclude(user_id=post.author.user_id)
                .values("user_id"))
    return (Membership.objects.active().filter(community_id=post.community_id, user_id__in=user_ids)
            .select_related("user").order_by("user__name"))


def _post_action(request, slug, pk, action, success):
    access = require_member(request, slug)
    post = post_in(access, pk)
    require_may_manage(access, post)
    try:
        action(post)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success)
    return redirect("market:detail", slug=slug, pk=post.pk)


@login_required
@require_POST
def renew(request, slug, pk):
    return _post_action(request, slug, pk, lambda post: services.renew_post(post, actor=request.user),
                        _("Renewed: it stays open for another 90 days."))


@login_required
@require_POST
def withdraw(request, slug, pk):
    return _post_action(request, slug, pk, lambda post: services.withdraw_post(post, actor=request.user),
                        _("Withdrawn. Nobody will be offered it any more."))


@login_required
@require_POST
def mark_done(request, slug, pk):
    access = require_member(request, slug)
    post = post_in(access, pk)
    require_may_manage(access, post)
    form = DoneForm(request.POST, candidates=_done_candidates(post))
    if not form.is_valid():
        messages.error(request, _("Choose someone from the list."))
        return redirect("market:detail", slug=slug, pk=post.pk)
    return _post_action(request, slug, pk,
                        lambda p: services.complete_post(p, actor=request.user, helper=form.cleaned_data["helper"]),
                        _("Marked done. Thank you for taking part."))


@login_required
def mine(request, slug):
    access = require_member(request, slug)
    posts = []
    if access.membership is not None:
        posts = (Post.objects.filter(author=access.membership).for_list().order_by("-created_at")[:100])
    return render(request, "market/mine.html", _context(access, posts=posts, now=timezone.now()))


@login_required
def matches(request, slug):
    access = require_member(request, slug)
    results = matching.requests_for_member(access.membership) if access.membership else []
    return render(request, "market/matches.html", _context(access, results=results))


@login_required
def brokerage(request, slug):
    access = require_coordinator(request, slug)
    community = access.community
    cutoff = timezone.now() - timedelta(days=community.brokerage_after_days)
    waiting = (Post.objects.filter(community=community, kind=PostKind.REQUEST, created_at__lte=cutoff)
               .open().for_list().order_by("created_at", "id"))
    page = Paginator(waiting, BROKERAGE_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(post, matching.suggest_for_request(post, limit=3)) for post in page]
    return render(request, "market/brokerage.html", _context(access, page=page, rows=rows,
                                                             introduce_form=IntroduceForm()))


@login_required
@require_POST
def introduce(request, slug, pk, member_pk):
    from coproduce.conversations.services import introduce as introduce_service

    access = require_coordinator(request, slug)
    post = post_in(access, pk)
    helper = member_in(access, member_pk)
    form = IntroduceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please keep the introduction to 2,000 characters."))
        return redirect("market:detail", slug=slug, pk=post.pk)
    try:
        introduce_service(post, helper, actor=request.user, note=form.cleaned_data["note"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Introduced %(a)s and %(b)s. They can now write to each other.")
                         % {"a": post.author.user.name, "b": helper.user.name})
    return redirect("market:brokerage", slug=slug)
