import type { ExperimentSpec } from "../src/run";
import { calls, type Step } from "./run-fakes";

export const EXPERIMENT: ExperimentSpec = {
  key: "pricing-cta",
  hypothesis: "Showing yearly savings first makes more visitors start checkout.",
  targetType: "page",
  target: "/pricing",
  segments: [
    { key: "control", name: "Today", trafficPercent: 50, description: "The pricing page as it is." },
    { key: "annual", name: "Annual first", trafficPercent: 50, description: "Lead with the yearly saving." },
  ],
  primaryMetric: "checkout_started",
  secondaryMetrics: ["plan_clicked"],
  previewUrl: "https://preview.acme.test/pricing",
};

/** What the model writes for one fixture: the chosen target, the files, and the target's new content. */
export interface FixtureScript {
  fixture: string;
  target: string;
  files: Record<string, string>;
}

export const NEXT_APP: FixtureScript = {
  fixture: "next-app",
  target: "src/app/(marketing)/pricing/page.tsx",
  files: {
    "src/components/experiments/pricing-cta-control.tsx": `"use client";

import { PricingTable } from "@/components/pricing-table";
import type { PricingCtaSegmentProps } from "./pricing-cta-experiment";

export function PricingCtaControl(_props: PricingCtaSegmentProps) {
  return (
    <section className="py-16">
      <h1 className="mb-8 text-center text-3xl font-semibold">Simple pricing</h1>
      <PricingTable />
    </section>
  );
}
`,
    "src/components/experiments/pricing-cta-annual.tsx": `"use client";

import { PricingTable } from "@/components/pricing-table";
import type { PricingCtaSegmentProps } from "./pricing-cta-experiment";

export function PricingCtaAnnual({ track }: PricingCtaSegmentProps) {
  return (
    <section className="py-16">
      <h1 className="mb-8 text-center text-3xl font-semibold">Two months free with yearly billing</h1>
      <PricingTable />
      <button type="button" onClick={() => track("checkout_started", { plan: "yearly" })}>
        Start with yearly billing
      </button>
    </section>
  );
}
`,
    "src/app/(marketing)/pricing/page.tsx": `import type { Metadata } from "next";
import { PricingCtaExperiment } from "@/components/experiments/pricing-cta-experiment";

export const metadata: Metadata = {
  title: "Pricing",
};

export default function PricingPage() {
  return <PricingCtaExperiment />;
}
`,
  },
};

export const REACT_VITE: FixtureScript = {
  fixture: "react-vite",
  target: "src/pages/Pricing.tsx",
  files: {
    "src/components/experiments/PricingCtaControl.tsx": `import PlanCard from '../PlanCard'
import styles from '../../pages/Pricing.module.css'
import type { PricingCtaSegmentProps } from './PricingCtaExperiment'

const plans = [
  { name: 'Free', price: 0, features: ['3 projects', 'Email support'] },
  { name: 'Pro', price: 12, features: ['Unlimited projects', 'Priority support'] },
]

const PricingCtaControl = (_props: PricingCtaSegmentProps) => {
  return (
    <main className={styles.page}>
      <h1>Pricing</h1>
      <div className={styles.grid}>
        {plans.map((plan) => (
          <PlanCard key={plan.name} {...plan} />
        ))}
      </div>
    </main>
  )
}

export default PricingCtaControl
`,
    "src/components/experiments/PricingCtaAnnual.tsx": `import PlanCard from '../PlanCard'
import styles from '../../pages/Pricing.module.css'
import type { PricingCtaSegmentProps } from './PricingCtaExperiment'

const plans = [
  { name: 'Pro', price: 120, features: ['Two months free', 'Unlimited projects'] },
  { name: 'Free', price: 0, features: ['3 projects', 'Email support'] },
]

const PricingCtaAnnual = ({ track }: PricingCtaSegmentProps) => {
  return (
    <main className={styles.page}>
      <h1>Save two months</h1>
      <div className={styles.grid} onClick={() => track('plan_clicked')}>
        {plans.map((plan) => (
          <PlanCard key={plan.name} {...plan} />
        ))}
      </div>
    </main>
  )
}

export default PricingCtaAnnual
`,
    "src/pages/Pricing.tsx": `import PricingCtaExperiment from '../components/experiments/PricingCtaExperiment'

const Pricing = () => {
  return <PricingCtaExperiment />
}

export default Pricing
`,
  },
};

export const VUE_VITE: FixtureScript = {
  fixture: "vue-vite",
  target: "src/views/PricingView.vue",
  files: {
    "src/components/experiments/PricingCtaControl.vue": `<script setup>
import { ref } from 'vue'
import PlanCard from '@/components/PlanCard.vue'

defineProps(['track'])

const plans = ref([
  { id: 'basic', name: 'Basic', price: 0 },
  { id: 'chef', name: 'Chef', price: 7 }
])
</script>

<template>
  <main class="pricing">
    <h1>Plans</h1>
    <PlanCard v-for="plan in plans" :key="plan.id" :name="plan.name" :price="plan.price" />
  </main>
</template>
`,
    "src/components/experiments/PricingCtaAnnual.vue": `<script setup>
import PlanCard from '@/components/PlanCard.vue'

const props = defineProps(['track'])
const plans = [{ id: 'chef', name: 'Chef (yearly)', price: 70 }]
</script>

<template>
  <main class="pricing">
    <h1>Two months free</h1>
    <PlanCard v-for="plan in plans" :key="plan.id" :name="plan.name" :price="plan.price" @click="props.track('plan_clicked')" />
  </main>
</template>
`,
    "src/views/PricingView.vue": `<script setup>
import PricingCtaExperiment from '@/components/experiments/PricingCtaExperiment.vue'
</script>

<template>
  <PricingCtaExperiment />
</template>

<style scoped>
.pricing {
  display: grid;
  gap: 1rem;
}
</style>
`,
  },
};

/** choose_target, then every file in one turn with flush_writes, then finish. */
export function happyScript(script: FixtureScript, files = script.files): Step[] {
  return [
    calls(["choose_target", { path: script.target, reason: "renders the page" }]),
    calls(
      ...Object.entries(files).map(([path, content]): [string, Record<string, unknown>] => [
        "write_file",
        { path, content },
      ]),
      ["flush_writes", {}],
    ),
    calls(["finish", { summary: "Adds the annual-first segment." }]),
  ];
}
