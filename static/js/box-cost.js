// The cost-per-box calculator on the phone: the same checks and sums as the
// server (lms/forms/box_cost.py, lms/services/box_cost.py), so it works in the
// orchard without a signal and spends no data. Without this file the form asks
// the server.
"use strict";
(function () {
  var form = document.querySelector("form[data-box-cost]");
  var box = document.querySelector("[data-box-result]");
  if (!form || !box || !window.Intl) return;
  var lang = document.documentElement.lang || "vi";
  var numbers = new Intl.NumberFormat(lang, { maximumFractionDigits: 1 });
  var MONEY = /^(?:\d{1,3}(?:([.,])\d{3})(?:\1\d{3})*|\d+)$/;
  var DECIMAL = /^\d+(?:[.,]\d+)?$/;

  function say(name, values) {
    var text = form.getAttribute("data-msg-" + name) || "";
    Object.keys(values || {}).forEach(function (key) {
      text = text.replace("{" + key + "}", values[key]);
    });
    return text;
  }

  function dong(amount) { return numbers.format(amount) + "\u00a0đ"; }
  function round(amount) { return Math.floor(amount + 0.5); }

  // The number in an input, or a message saying what is wrong with it.
  function read(input) {
    var kind = input.getAttribute("data-kind");
    var least = Number(input.getAttribute("data-min"));
    var most = Number(input.getAttribute("data-max"));
    var text = input.value.replace(/\s/g, "").toLowerCase();
    if (!text) return least === 0 ? { value: 0 } : { problem: say("empty") };
    text = text.replace(/(vnđ|vnd|đồng|đ|kg|%)$/, "");
    if (text.length > 15) return { problem: say("long") };
    if (/^[-−]/.test(text)) return { problem: say("negative") };
    var value;
    if (kind === "money") {
      if (!MONEY.test(text)) return { problem: say("money") };
      value = parseInt(text.replace(/[.,]/g, ""), 10);
    } else {
      if (!DECIMAL.test(text)) return { problem: say("decimal") };
      value = parseFloat(text.replace(",", "."));
    }
    if (value < least || value > most) {
      return { value: value, problem: say("range", {
        least: numbers.format(least), most: numbers.format(most)
      }) };
    }
    return { value: value };
  }

  function mark(input, problems) {
    var holder = input.closest(".field"), id = input.id + "-error";
    var note = document.getElementById(id);
    var hint = document.getElementById(input.id + "-hint");
    if (!problems.length) {
      if (note) note.remove();
      holder.classList.remove("has-error");
      input.removeAttribute("aria-invalid");
      if (hint) input.setAttribute("aria-describedby", hint.id);
      else input.removeAttribute("aria-describedby");
      return;
    }
    if (!note) {
      note = document.createElement("p");
      note.className = "error";
      note.id = id;
      input.parentNode.insertBefore(note, input);
    }
    note.textContent = problems.join(" ");
    holder.classList.add("has-error");
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", (hint ? hint.id + " " : "") + id);
  }

  // Operation for operation the same as cost_of_a_box in lms/services/box_cost.py.
  function cost(g) {
    var fruit = g.net_kg * g.farm_price;
    var goods = fruit + g.box + g.ice + g.labour + g.spoilage;
    var refusals = g.refused_percent / 100 * (goods + g.shipping);
    var fixed = goods + g.shipping + g.cod_fee + refusals + g.ads;
    var rate = (g.platform_percent + g.tax_percent + g.commission_percent) / 100;
    var onPrice = g.price * rate;
    var total = fixed + onPrice;
    var profit = g.price - total;
    var breakEven = Math.ceil(fixed / (1 - rate));
    return {
      fruit: round(fruit),
      refusals: round(refusals),
      fixed: round(fixed),
      on_price: round(onPrice),
      total: round(total),
      profit: round(profit),
      margin_percent: round(1000 * profit / g.price) / 10,
      break_even: breakEven,
      break_even_per_kg: Math.ceil(breakEven / g.net_kg),
      price_per_kg: round(g.price / g.net_kg)
    };
  }

  function show(result) {
    box.querySelectorAll("[data-figure]").forEach(function (cell) {
      cell.textContent = dong(result[cell.getAttribute("data-figure")]);
    });
    var verdict = box.querySelector("[data-verdict]");
    var name = result.profit > 0 ? "gain" : result.profit < 0 ? "loss" : "even";
    var text = verdict.getAttribute("data-msg-" + name);
    verdict.textContent = text.replace("{amount}", dong(Math.abs(result.profit)))
      .replace("{percent}", numbers.format(result.margin_percent) + "%")
      .replace("{price}", dong(result.break_even));
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var given = {}, problems = {}, first = null;
    var inputs = form.querySelectorAll("input[data-kind]");
    inputs.forEach(function (input) {
      var figure = read(input);
      given[input.name] = figure.value;
      problems[input.name] = figure.problem ? [figure.problem] : [];
    });
    if (given.net_kg > given.packed_kg && given.packed_kg > 0) {
      problems.packed_kg.push(say("packed"));
    }
    var rates = [given.platform_percent, given.tax_percent, given.commission_percent];
    if (rates.every(function (r) { return r !== undefined; }) &&
        rates[0] + rates[1] + rates[2] >= 100) {
      problems.commission_percent.push(say("rates"));
    }
    inputs.forEach(function (input) {
      mark(input, problems[input.name]);
      if (!first && problems[input.name].length) first = input;
    });
    box.querySelector("[data-box-problems]").hidden = !first;
    box.querySelector("[data-box-figures]").hidden = !!first;
    if (first) { first.focus(); return; }
    show(cost(given));
    var title = document.getElementById("result-title");
    title.scrollIntoView();
    title.focus();
  });
})();
