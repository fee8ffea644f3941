// Insights: draws every <canvas data-chart='…'> with Chart.js from the JSON description the
// server wrote (ideas/insights.py, Chart.as_json). No inline scripts (CSP). The same figures
// are in a table beside each chart, so the page still says everything without JavaScript.
(function () {
  "use strict";

  var charts = [];
  var BAR_HEIGHT = 34; // px per bar in horizontal charts: room for a two-line label
  // Chart.js gives a side axis at most half the chart's width; long idea titles wrap onto
  // two lines instead of being cut at the canvas edge.
  var LABEL_WIDTH = 26;

  function wrap(label) {
    if (typeof label !== "string" || label.length <= LABEL_WIDTH) return label;
    var lines = [""];
    label.split(" ").forEach(function (word) {
      var last = lines[lines.length - 1];
      var joined = last ? last + " " + word : word;
      if (joined.length > LABEL_WIDTH && last) lines.push(word);
      else lines[lines.length - 1] = joined;
    });
    if (lines.length > 2) {
      lines = lines.slice(0, 2);
      lines[1] = lines[1].slice(0, LABEL_WIDTH - 1).replace(/[\s…]+$/, "") + "…";
    }
    return lines;
  }

  function formatter(spec) {
    var money = null;
    if (spec.money) {
      try {
        money = new Intl.NumberFormat(undefined, {
          style: "currency", currency: spec.currency || "USD",
          notation: "compact", maximumFractionDigits: 1
        });
      } catch (error) {
        money = new Intl.NumberFormat(undefined, { notation: "compact", maximumFractionDigits: 1 });
      }
    }
    var plain = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });
    return function (value) {
      if (value === null || value === undefined) return "—";
      if (money) return money.format(value);
      if (spec.percent) return plain.format(value) + "%";
      return plain.format(value);
    };
  }

  function build(canvas) {
    var spec;
    try {
      spec = JSON.parse(canvas.getAttribute("data-chart"));
    } catch (error) {
      return;
    }
    var box = canvas.parentElement;
    if (spec.horizontal) {
      box.style.height = Math.max(160, spec.labels.length * BAR_HEIGHT + 70) + "px";
    }
    var labels = spec.horizontal ? spec.labels.map(wrap) : spec.labels;
    var format = formatter(spec);
    var valueAxis = spec.horizontal ? "x" : "y";
    var labelAxis = spec.horizontal ? "y" : "x";
    var scales = {};
    scales[valueAxis] = {
      stacked: spec.stacked,
      beginAtZero: true,
      ticks: { callback: function (value) { return format(value); }, maxTicksLimit: 6 },
      title: { display: Boolean(spec.axis), text: spec.axis },
      grid: { color: "rgba(0, 0, 0, 0.06)" }
    };
    scales[labelAxis] = {
      stacked: spec.stacked,
      grid: { display: false },
      ticks: { autoSkip: !spec.horizontal, maxRotation: 0 }
    };
    var line = spec.kind === "line";
    var chart = new window.Chart(canvas, {
      type: line ? "line" : "bar",
      data: {
        labels: labels,
        datasets: spec.series.map(function (series) {
          return {
            label: series.name,
            data: series.values,
            backgroundColor: series.colors || series.color,
            borderColor: series.color,
            borderWidth: line ? 2 : 0,
            pointRadius: line ? 2 : 0,
            tension: 0.25,
            maxBarThickness: 28
          };
        })
      },
      options: {
        indexAxis: spec.horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        // Drawn at once: screenshots and print show the final chart, never a frame of it.
        animation: false,
        scales: scales,
        plugins: {
          legend: { display: spec.series.length > 1, position: "bottom", labels: { boxWidth: 12 } },
          tooltip: {
            callbacks: {
              label: function (context) {
                return context.dataset.label + ": " + format(context.parsed[valueAxis]);
              }
            }
          }
        }
      }
    });
    charts.push(chart);
  }

  function resizeAll() {
    charts.forEach(function (chart) { chart.resize(); });
  }

  // Picking a date means custom dates, so the form does what the person sees.
  document.addEventListener("change", function (event) {
    if (!event.target.matches("[data-period-date]")) return;
    var range = document.querySelector("[data-period-range]");
    if (range) range.value = "custom";
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-print]");
    if (button) window.print();
  });

  document.addEventListener("DOMContentLoaded", function () {
    if (typeof window.Chart === "undefined") return;
    window.Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    window.Chart.defaults.color = "#495057";
    document.querySelectorAll("canvas[data-chart]").forEach(build);
  });

  // Charts keep their screen size when printing unless told to fit the page's boxes: redraw
  // them when the print layout applies (matchMedia) and around the print dialog.
  window.addEventListener("beforeprint", resizeAll);
  window.addEventListener("afterprint", resizeAll);
  if (window.matchMedia) {
    var print = window.matchMedia("print");
    if (print.addEventListener) print.addEventListener("change", resizeAll);
  }
})();
