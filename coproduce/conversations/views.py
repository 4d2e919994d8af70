from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coproduce.audit.models import AuditAction
from coproduce.audit.services import record_audit
from coproduce.conversations import services
from coproduce.conversations.forms import IntroduceForm, MessageForm, ReportForm, ResolveForm
from coproduce.conversations.models import Conversation, Message, Participant, Report
from coproduce.conversations.queries import (
    conversation_of,
    direct_conversation,
    has_blocked,
    open_reports,
)
from coproduce.conversations.queries import inbox as inbox_query
from coproduce.conversations.reach import Reach, ReachContext, refusal
from coproduce.market.permissions import post_in
from coproduce.members.permissions import member_in, require_coordinator, require_member
from coproduce.members.views import add_form_errors


def _context(access, **extra):
    return {"access": access, "community": access.community, **extra}


def _own_conversation(request, access, pk) -> Conversation:
    """A conversation of this community the viewer is in; 404 for everyone else, coordinators too."""
    conversation = conversation_of(request.user, access.community, pk)
    if conversation is None:
        raise Http404
    return conversation


@login_required
def inbox(request, slug):
    access = require_member(request, slug)
    page = Paginator(inbox_query(request.user, access.community), 25).get_page(request.GET.get("page"))
    for conversation in page:
        conversation.unread = (conversation.unread_all if conversation.my_last_read is None
                               else conversation.unread_since) or 0
    return render(request, "conversations/inbox.html", _context(access, page=page))


@login_required
def detail(request, slug, pk):
    access = require_member(request, slug)
    conversation = _own_conversation(request, access, pk)
    form = MessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.reply(conversation, sender=request.user, body=form.cleaned_data["body"])
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, _("Message sent."))
            return redirect("conversations:detail", slug=slug, pk=conversation.pk)
    services.mark_read(conversation, request.user)
    seats = list(Participant.objects.filter(conversation=conversation).select_related("user"))
    others = [s.user for s in seats if s.user_id != request.user.pk]
    thread = conversation.messages.select_related("sender").order_by("created_at", "id")
    memberships = {m.user_id: m for m in access.community.memberships.filter(user__in=others)}
    people = [(user, memberships.get(user.pk), has_blocked(request.user.pk, user.pk)) for user in others]
    return render(request, "conversations/detail.html", _context(
        access, conversation=conversation, thread=thread, form=form, others=others, people=people))


@login_required
def start(request, slug, pk):
    """Write to the author of an offer or request."""
    access = require_member(request, slug)
    post = post_in(access, pk)
    if access.membership is None:
        raise Http404
    form = MessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            conversation = services.start_conversation(sender=access.membership, recipient=post.author,
                                                       body=form.cleaned_data["body"], post=post)
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, _("Message sent to %(name)s.") % {"name": post.author.user.name})
            return redirect("conversations:detail", slug=slug, pk=conversation.pk)
    return render(request, "conversations/start.html", _context(access, post=post, form=form))


@login_required
def message_member(request, slug, member_pk):
    """Write to a member from their profile or the directory. A conversation the two already have
    (outside any offer or request) opens instead of a new one; blocks and the member's contact
    preference refuse with the reason (403), on the page and on a POST alike."""
    access = require_member(request, slug)
    recipient = member_in(access, member_pk)
    reach_context = ReachContext.load(access.membership, access.community)
    reach = reach_context.reach(recipient)
    page = _context(access, recipient=recipient, reach=reach,
                    coordinators=reach_context.coordinators_for(recipient))
    if reach is not Reach.MESSAGE:
        page["refusal"] = refusal(reach, recipient.user.name)
        return render(request, "conversations/message_member.html", page, status=403)
    if request.method != "POST":
        existing = direct_conversation(access.community, request.user.pk, recipient.user_id)
        if existing is not None:
            return redirect("conversations:detail", slug=slug, pk=existing.pk)
    form = MessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            conversation = services.start_conversation(sender=access.membership, recipient=recipient,
                                                       body=form.cleaned_data["body"])
        except ValidationError as error:  # a block made since the page was read, say
            add_form_errors(form, error)
        else:
            messages.success(request, _("Message sent to %(name)s.") % {"name": recipient.user.name})
            return redirect("conversations:detail", slug=slug, pk=conversation.pk)
    return render(request, "conversations/message_member.html", {**page, "form": form})


@login_required
def report_message(request, slug, pk, message_pk):
    access = require_member(request, slug)
    conversation = _own_conversation(request, access, pk)
    message = get_object_or_404(Message.objects.select_related("sender"), pk=message_pk, conversation=conversation)
    return _report(request, access, reported=message.sender, message=message,
                   back=("conversations:detail", slug, conversation.pk))


@login_required
def report_member(request, slug, member_pk):
    access = require_member(request, slug)
    target = member_in(access, member_pk)
    return _report(request, access, reported=target.user, message=None,
                   back=("members:profile", slug, target.pk))


def _report(request, access, *, reported, message, back):
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.report(community=access.community, reporter=request.user, reported=reported,
                            reason=form.cleaned_data["reason"], message=message)
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, _("Thank you. A coordinator will look at this."))
            return redirect(*back)
    return render(request, "conversations/report.html", _context(access, form=form, reported=reported,
                                                                 message=message))


def _block_target(request, access, member_pk):
    """A member of this community to block or unblock. Someone who left only if the viewer already
    knows them here (shares a conversation with them, or blocked them): the page names them, and
    trying numbers must not reveal the names of people who left."""
    target = member_in(access, member_pk, active_only=False)
    if not target.is_active:
        shared = Participant.objects.filter(user=target.user, conversation__community=access.community,
                                            conversation__participants__user=request.user)
        if not (shared.exists() or has_blocked(request.user.pk, target.user_id)):
            raise Http404
    return target


@login_required
@require_POST
def block(request, slug, member_pk):
    access = require_member(request, slug)
    target = _block_target(request, access, member_pk)
    try:
        services.block(blocker=request.user, blocked=target.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("You have blocked %(name)s. They cannot write to you.")
                         % {"name": target.user.name})
    return redirect("members:profile", slug=slug, pk=target.pk)


@login_required
@require_POST
def unblock(request, slug, member_pk):
    access = require_member(request, slug)
    target = _block_target(request, access, member_pk)
    services.unblock(blocker=request.user, blocked=target.user)
    messages.success(request, _("You have unblocked %(name)s.") % {"name": target.user.name})
    return redirect("members:profile", slug=slug, pk=target.pk)


@login_required
def report_queue(request, slug):
    access = require_coordinator(request, slug)
    reports = open_reports(access.community).select_related("reporter", "reported").order_by("created_at", "id")
    page = Paginator(reports, 25).get_page(request.GET.get("page"))
    return render(request, "conversations/report_queue.html", _context(access, page=page))


@login_required
def report_detail(request, slug, pk):
    """A coordinator reads a report and, only because it was reported, the conversation it is about."""
    access = require_coordinator(request, slug)
    report = get_object_or_404(Report.objects.select_related("reporter", "reported", "message__conversation"),
                               pk=pk, community=access.community)
    thread = []
    if report.message_id:
        thread = (Message.objects.filter(conversation=report.message.conversation).select_related("sender")
                  .order_by("created_at", "id"))
        record_audit(actor=request.user, action=AuditAction.REPORT_VIEWED, community=access.community,
                     subject=f"report {report.pk}", report=report.pk)
    form = ResolveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.resolve_report(report, actor=request.user, resolution=form.cleaned_data["resolution"])
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, _("Report closed."))
            return redirect("conversations:reports", slug=slug)
    return render(request, "conversations/report_detail.html", _context(access, report=report, thread=thread,
                                                                        form=form))


@login_required
@require_POST
def introduce(request, slug, pk, member_pk):
    """A coordinator introduces a helper to the author of a request: a conversation between them."""
    access = require_coordinator(request, slug)
    post = post_in(access, pk)
    helper = member_in(access, member_pk)
    form = IntroduceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please keep the introduction to 2,000 characters."))
        return redirect("market:detail", slug=slug, pk=post.pk)
    try:
        services.introduce(post, helper, actor=request.user, note=form.cleaned_data["note"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Introduced %(a)s and %(b)s. They can now write to each other.")
                         % {"a": post.author.user.name, "b": helper.user.name})
    return redirect("market:brokerage", slug=slug)
