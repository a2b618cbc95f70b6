// CRM analytics charts: reads {type, labels, series: [{name, values}]} from the json_script
// #analytics-chart-data (numbers arrive as strings) and draws it into #analytics-chart with ECharts.
(function () {
  "use strict";
  var source = document.getElementById("analytics-chart-data");
  var target = document.getElementById("analytics-chart");
  if (!source || !target || typeof echarts === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var palette = ["#2f6fdb", "#34a853", "#f29900", "#d93025", "#7e57c2", "#00897b", "#8d6e63"];
  var narrow = target.clientWidth < 576;

  function numbers(series) {
    return series.values.map(function (v) { return Number(v); });
  }

  function funnelOption() {
    var counts = numbers(data.series[0]);
    var amounts = data.series[1] ? data.series[1].values : [];
    return {
      color: palette,
      tooltip: {
        trigger: "item",
        formatter: function (p) {
          var amount = amounts[p.dataIndex];
          return p.name + "<br>" + data.series[0].name + ": " + p.value +
            (amount !== undefined ? "<br>" + data.series[1].name + ": " + Number(amount).toLocaleString() : "");
        }
      },
      series: [{
        name: data.series[0].name,
        type: "funnel",
        sort: "none",
        left: narrow ? "5%" : "15%",
        width: narrow ? "90%" : "70%",
        top: 10,
        bottom: 10,
        minSize: "12%",
        gap: 2,
        label: { show: true, position: "inside", formatter: "{b}  {c}" },
        data: data.labels.map(function (label, i) { return { name: label, value: counts[i] }; })
      }]
    };
  }

  function barOption() {
    return {
      color: palette,
      tooltip: { trigger: "axis" },
      legend: { show: data.series.length > 1, top: 0 },
      grid: { left: 8, right: 8, top: data.series.length > 1 ? 32 : 12, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.labels, axisLabel: { interval: 0, rotate: narrow ? 40 : 0 } },
      yAxis: { type: "value", minInterval: 1 },
      series: data.series.map(function (s) {
        return { name: s.name, type: "bar", data: numbers(s), barMaxWidth: 36 };
      })
    };
  }

  function pieOption() {
    var values = numbers(data.series[0]);
    return {
      color: ["#34a853", "#2f6fdb", "#d93025", "#9aa0a6"],
      tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
      legend: { bottom: 0 },
      series: [{
        name: data.series[0].name,
        type: "pie",
        radius: narrow ? ["30%", "60%"] : ["35%", "65%"],
        center: ["50%", "45%"],
        label: { formatter: "{c}" },
        data: data.labels.map(function (label, i) {
          var empty = values[i] === 0;  // no label and no leader line for an empty class
          return { name: label, value: values[i], label: { show: !empty }, labelLine: { show: !empty } };
        })
      }]
    };
  }

  var options = { funnel: funnelOption, bar: barOption, pie: pieOption };
  var chart = echarts.init(target);
  chart.setOption((options[data.type] || barOption)());
  window.addEventListener("resize", function () { chart.resize(); });
})();
