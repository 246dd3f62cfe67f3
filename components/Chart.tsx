"use client";

import { BarController, BarElement, CategoryScale, Chart as ChartJs, Colors, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip } from "chart.js";
import { useEffect, useRef } from "react";

// Only the parts drawn here are registered, so the rest of Chart.js stays out of the bundle.
ChartJs.register(BarController, BarElement, LineController, LineElement, PointElement, CategoryScale, LinearScale, Colors, Legend, Tooltip);

export interface ChartProps {
  kind: "bar" | "line";
  /** What the chart shows, for screen readers; the page lists the same data in a table. */
  label: string;
  labels: string[];
  series: Array<{ label: string; data: number[] }>;
  stacked?: boolean;
}

/** A chart drawn in the browser from data the server aggregated (the console's /console/stats). */
export function Chart({ kind, label, labels, series, stacked = false }: ChartProps) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!canvas.current) return;
    const chart = new ChartJs(canvas.current, {
      type: kind,
      data: { labels, datasets: series.map((s) => ({ label: s.label, data: s.data })) },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: series.length > 1 } },
        scales: { x: { stacked }, y: { stacked, beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
    return () => chart.destroy();
  }, [kind, labels, series, stacked]);
  return (
    <div className="relative h-56 w-full">
      <canvas ref={canvas} role="img" aria-label={label} />
    </div>
  );
}
