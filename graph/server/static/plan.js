// Plan approval in the browser editor: a plan that waits is shown with Approve and Reject buttons;
// the decision goes to POST /sessions/{id}/plan and the rest of the turn streams like a message.
"use strict";

function showPlan(pending) {
  document.querySelectorAll("#log li.plan:not(.decided)").forEach((li) => li.remove());
  const li = document.createElement("li");
  li.className = "plan";
  li.dataset.turn = pending.turn;
  const title = document.createElement("strong");
  title.textContent = `${pending.question} (turn ${pending.turn}, plan ${pending.round})`;
  const steps = document.createElement("ol");
  for (const step of pending.steps) {
    const item = document.createElement("li");
    item.textContent = step;
    steps.appendChild(item);
  }
  const actions = document.createElement("div");
  actions.className = "actions";
  const approve = document.createElement("button");
  approve.type = "button"; approve.id = "plan-approve"; approve.textContent = "Approve";
  const feedback = document.createElement("input");
  feedback.type = "text"; feedback.id = "plan-feedback"; feedback.placeholder = "what to do differently";
  const reject = document.createElement("button");
  reject.type = "button"; reject.id = "plan-reject"; reject.textContent = "Reject";
  approve.addEventListener("click", () => decide(li, { approve: true }));
  reject.addEventListener("click", () => decide(li, { approve: false, feedback: feedback.value }));
  actions.append(approve, feedback, reject);
  const notes = document.createElement("span");
  notes.className = "meta";
  notes.textContent = pending.round > 1 ? pending.notes.join("; ") : "";
  li.append(title, steps, notes, actions);
  $("log").appendChild(li);
  li.scrollIntoView({ block: "end" });
}

async function decide(li, body) {
  if (state.busy || !state.sessionId) return;
  li.classList.add("decided");
  li.querySelectorAll("button, input").forEach((element) => { element.disabled = true; });
  say("user", body.approve ? "Approved." : `Rejected${body.feedback ? `: ${body.feedback}` : "."}`);
  await streamTurn(`/sessions/${state.sessionId}/plan`, body, body.approve ? "running the plan…" : "planning again…");
}

async function restorePlan(id) {
  const { pending_plan: pending } = await (await api(`/sessions/${id}/plan`)).json();
  if (!pending) return;
  say("user", pending.message);
  showPlan(pending);
}
