// The shapes of Marathon's /v2 JSON the console reads (only the fields it uses; the rest passes through).
export interface HealthCheckResult { alive: boolean; consecutiveFailures?: number; lastFailureCause?: string }

export interface MarathonTask {
  id: string; appId: string; host: string; ports: number[]; servicePorts?: number[]; slaveId: string;
  stagedAt?: string; startedAt?: string | null; state: string; version?: string;
  healthCheckResults?: HealthCheckResult[];
}

export interface MarathonApp {
  id: string;
  cmd?: string | null;
  instances: number; cpus: number; mem: number; disk: number;
  labels?: Record<string, string>;
  env?: Record<string, unknown>;
  constraints?: string[][];
  container?: Record<string, any> | null;
  portDefinitions?: Array<{ port: number; protocol?: string; name?: string }>;
  healthChecks?: unknown[];
  version?: string;
  tasksStaged?: number; tasksRunning?: number; tasksHealthy?: number; tasksUnhealthy?: number;
  deployments?: Array<{ id: string }>;
  tasks?: MarathonTask[];
  lastTaskFailure?: { message?: string; state?: string; timestamp?: string; host?: string };
  [field: string]: unknown;
}

export interface DeploymentAction { action: string; app: string }

export interface Deployment {
  id: string; version: string; affectedApps: string[];
  steps: Array<{ actions: DeploymentAction[] }>;
  currentActions: DeploymentAction[]; currentStep: number; totalSteps: number;
}

export interface OfferedResource { name: string; role?: string; scalar?: number; ranges?: Array<{ begin: number; end: number }> }

export interface UnusedOffer {
  offer: { id: string; agentId: string; hostname: string; resources?: OfferedResource[] };
  timestamp?: string;
  reason: string[];
}

export interface QueueEntry {
  app: MarathonApp;
  count: number;
  delay: { timeLeftSeconds: number; overdue: boolean };
  since?: string;
  processedOffersSummary?: {
    processedOffersCount: number; unusedOffersCount: number; lastUnusedOfferAt?: string;
    rejectSummaryLastOffers: Array<{ reason: string; declined: number; processed: number }>;
  };
  lastUnusedOffers?: UnusedOffer[];
}

export interface MarathonInfo {
  frameworkId?: string | null;
  marathon_config?: { master?: string; mesos_leader_ui_url?: string | null };
}

/** One Marathon SSE event: the SSE type plus its JSON payload. */
export interface MarathonEvent { eventType: string; [field: string]: unknown }
