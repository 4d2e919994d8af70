
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from coproduce.ledger.forms import ExchangeForm
from coproduce.ledger.views import member_parties, record_page
from coproduce.lib.inputs import search_text
from coproduce.market import classifier, hooks, matching, services
from coproduce.market.forms import (
    ConceptWordsForm,
    DoneForm,
    PostForm,
    SearchForm,
    ThankYouForm,
    initial_from,
)
from coproduce.market.models import ConceptWord, Post, PostKind, PostStatus, ThankYou
from coproduce.market.permissions import may_manage, post_in, require_may_manage
from coproduce.market.queries import brokerage_queue, search_posts
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


SUGGESTED_CATEGORIES = 3


def _category_guesses(access, title: str, description: str) -> list:
    """The likeliest categories for what someone typed (the community's text model, read only)."""
    words = search_text(f"{title} {description}", limit=2000)
    return classifier.suggest_categories(access.community, words, limit=SUGGESTED_CATEGORIES)


def _form_urls(access, author: Membership) -> dict:
    """Where the post form posts, and where its "suggest a category" buttons post."""
    if access.membership is not None and author.pk == access.membership.pk:
        return {"form_action": reverse("market:new", args=[access.community.slug]),
                "suggest_url": reverse("market:new_suggest", args=[access.community.slug])}
    return {"form_action": reverse("market:new_for", args=[access.community.slug, author.pk]),
            "suggest_url": reverse("market:new_for_suggest", args=[access.community.slug, author.pk])}


def _render_post_form(request, access, author, form, *, suggestions=None, asked=False):
    return render(request, "market/post_form.html", _context(
        access, form=form, author=author, suggestions=suggestions or [], asked=asked,
        suggestions_url=reverse("market:category_suggestions", args=[access.community.slug]),
        **_form_urls(access, author)))


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
    suggestions = []
    if request.method == "POST":  # refused: help with the category too, also without JavaScript
        suggestions = _category_guesses(access, request.POST.get("title", ""), request.POST.get("description", ""))
    return _render_post_form(request, access, author, form, suggestions=suggestions, asked=request.method == "POST")


def _suggest_for_form(request, access, author: Membership):
    """The post form again, as typed, with category suggestions (and the one picked, if any):
    the "Suggest a category" and "Use …" buttons, which work without JavaScript. Posts nothing."""
    form = PostForm(community=access.community)
    initial = initial_from(request.POST, form)
    picked = request.POST.get("use_category", "")
    if picked.isdigit() and form.fields["category"].queryset.filter(pk=int(picked)).exists():
        initial["category"] = int(picked)
        messages.info(request, _("Category chosen. Check the rest and post it."))
    form = PostForm(community=access.community, initial=initial)
    suggestions = _category_guesses(access, request.POST.get("title", ""), request.POST.get("description", ""))
    return _render_post_form(request, access, author, form, suggestions=suggestions, asked=True)


@login_required
def new_post(request, slug):
    access = require_member(request, slug)
    if access.membership is None:
        messages.info(request, _("Coordinators who are not members post for assisted members from their profile."))
        return redirect("market:browse", slug=slug)
    return _post_form(request, access, access.membership)


@login_required
@require_POST
def new_post_suggest(request, slug):
    access = require_member(request, slug)
    if access.membership is None:
        return redirect("market:browse", slug=slug)
    return _suggest_for_form(request, access, access.membership)


@login_required
def new_post_for(request, slug, member_pk):
    access = require_coordinator(request, slug)
    author = member_in(access, member_pk)
    require_may_act_for(access, author)
    return _post_form(request, access, author)


@login_required
@require_POST
def new_post_for_suggest(request, slug, member_pk):
    access = require_coordinator(request, slug)
    author = member_in(access, member_pk)
    require_may_act_for(access, author)
    return _suggest_for_form(request, access, author)


@login_required
@require_GET
def category_suggestions(request, slug):
    """The post form's suggestions as the person types (htmx): a fragment of the form."""
    access = require_member(request, slug)
    author = access.membership
    member_pk = request.GET.get("member", "")
    if access.is_coordinator and member_pk.isdigit():
        author = member_in(access, int(member_pk))
    if author is None:
        raise Http404
    suggestions = _category_guesses(access, request.GET.get("title", ""), request.GET.get("description", ""))
    return render(request, "market/_category_suggestions.html", _context(
        access, suggestions=suggestions, asked=True, **_form_urls(access, author)))


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
        may_write=bool(access.membership and not is_author and post.is_open),
    )
    return render(request, "market/detail.html", context)


@login_required
def record_exchange(request, slug, pk):
    """Record the time for an exchange about this offer or request: the post is done once it is posted."""
    access = require_member(request, slug)
    post = post_in(access, pk)
    if access.membership is None:
        raise PermissionDenied(_("Only members record their own exchanges."))
    if post.status not in (PostStatus.OPEN, PostStatus.MATCHED) or not post.author.is_active:
        raise Http404
    form = ExchangeForm(request.POST or None, community=access.community, viewer=request.user)
    if not form.is_bound and post.author_id != access.membership.pk:
        form.initial["other"] = post.author
    return record_page(
        request, access, form, parties=member_parties(access.membership), about=post,
        heading=_("Record an exchange"), button=_("Record"),
        record=lambda **exchange: services.record_exchange_about(post, **exchange))


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
    user_ids = hooks.post_contacts(post) - {post.author.user_id}
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
    """The queue, in a few queries however long it is: each request's helpers follow through htmx
    (``brokerage_suggestions``), as weighing helpers costs a dozen queries a request (issue 19)."""
    access = require_coordinator(request, slug)
    page = Paginator(brokerage_queue(access.community), BROKERAGE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "market/brokerage.html", _context(access, page=page))


@login_required
def brokerage_suggestions(request, slug, pk):
    """Who might help with one waiting request: the fragment the queue loads (htmx)."""
    access = require_coordinator(request, slug)
    post = get_object_or_404(Post.objects.select_related("author__user"), pk=pk, community=access.community,
                             kind=PostKind.REQUEST, status=PostStatus.OPEN)
    return render(request, "market/_brokerage_suggestions.html",
                  _context(access, post=post, suggestions=matching.suggest_for_request(post, limit=3)))


@login_required
def vocabulary(request, slug):
    """Coordinators: the words people use for each category, which search and matching read."""
    access = require_coordinator(request, slug)
    categories = classifier.leaf_categories(classifier.category_rows(access.community.pk))
    words: dict[int, list[str]] = {}
    for category_id, word in (ConceptWord.objects.filter(community=access.community, category_id__in=list(categories))
                              .order_by("word").values_list("category_id", "word")):
        words.setdefault(category_id, []).append(word)
    rows = sorted(((pk, parent, name, words.get(pk, [])) for pk, (name, parent) in categories.items()),
                  key=lambda row: ((row[1] or "").lower(), row[2].lower()))
    return render(request, "market/vocabulary.html", _context(access, rows=rows))


def _leaf_category_in(access, pk):
    from coproduce.communities.models import Category

    category = get_object_or_404(Category.objects.select_related("parent", "community"), pk=pk,
                                 community=access.community)
    return category


@login_required
def category_words(request, slug, pk):
    access = require_coordinator(request, slug)
    category = _leaf_category_in(access, pk)
    form = ConceptWordsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            added = services.add_concept_words(category, actor=request.user, words=form.cleaned_data["words"])
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            if added:
                messages.success(request, _("Added: %(words)s.") % {"words": ", ".join(w.word for w in added)})
            else:
                messages.info(request, _("Those words were already there."))
            return redirect("market:category_words", slug=slug, pk=category.pk)
    words = ConceptWord.objects.filter(category=category).order_by("word")
    return render(request, "market/category_words.html", _context(access, category=category, form=form,
                                                                  words=words))


@login_required
@require_POST
def remove_category_word(request, slug, pk, word_pk):
    access = require_coordinator(request, slug)
    category = _leaf_category_in(access, pk)
    word = get_object_or_404(ConceptWord, pk=word_pk, category=category)
    services.remove_concept_word(word, actor=request.user)
    messages.success(request, _("Removed “%(word)s”.") % {"word": word.word})
    return redirect("market:category_words", slug=slug, pk=category.pk)
