package health

import "testing"

func TestHPAHealth(t *testing.T) {
	runRuleCases(t, []ruleCase{
		{
			name: "scaling within range",
			manifest: `
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
status:
  conditions:
  - {type: AbleToScale, status: "True", reason: ReadyForNewScale, message: recommended size matches current size}
  - {type: ScalingLimited, status: "False", reason: DesiredWithinRange, message: the desired count is within the acceptable range}`,
			status:  Healthy,
			message: "condition ScalingLimited DesiredWithinRange: the desired count is within the acceptable range",
		},
		{
			name: "no metrics",
			manifest: `
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
status:
  conditions:
  - {type: AbleToScale, status: "True", reason: SucceededGetScale, message: the HPA controller was able to get the target's current scale}
  - {type: ScalingActive, status: "False", reason: FailedGetResourceMetric, message: 'the HPA was unable to compute the replica count: no metrics returned'}`,
			status:  Degraded,
			message: "condition ScalingActive FailedGetResourceMetric: the HPA was unable to compute the replica count: no metrics returned",
			facts:   []string{"condition ScalingActive FailedGetResourceMetric: the HPA was unable to compute the replica count: no metrics returned"},
		},
		{
			name: "no conditions yet",
			manifest: `
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}`,
			status:  Progressing,
			message: hpaWaiting,
		},
		{
			name: "autoscaling/v1 keeps conditions in an annotation",
			manifest: `
apiVersion: autoscaling/v1
kind: HorizontalPodAutoscaler
metadata:
  name: web
  annotations:
    autoscaling.alpha.kubernetes.io/conditions: '[{"type":"AbleToScale","status":"False","reason":"FailedGetScale","message":"deployments/scale.apps \"web\" not found"}]'`,
			status:  Degraded,
			message: `condition AbleToScale FailedGetScale: deployments/scale.apps "web" not found`,
			facts:   []string{`condition AbleToScale FailedGetScale: deployments/scale.apps "web" not found`},
		},
	})
}
